// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { gaussianFilter } from './lab.js';
import { ScratchArrays } from './scratch-arrays.js';

/**
 * scipy.ndimage.gaussian_filter (truncate 4, mode 'reflect') written plainly, as gaussianFilter was
 * before session 44: every tap's source index mirrored with modulos, x then y, each value summed
 * from 0 tap by tap.
 */
function referenceGaussian(values: Float64Array, height: number, width: number, channels: number, sigma: number): Float64Array {
  const radius = Math.floor(4 * sigma + 0.5);
  const weights = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-0.5 * ((i - radius) / sigma) ** 2));
  const total = weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < weights.length; i++) weights[i]! /= total;
  const mirror = (n: number, j: number) => {
    j = ((j % (2 * n)) + 2 * n) % (2 * n);
    return j >= n ? 2 * n - 1 - j : j;
  };
  const at = (y: number, x: number, c: number) => (y * width + x) * channels + c;
  const tmp = new Float64Array(values.length);
  const out = new Float64Array(values.length);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < channels; c++) {
        let s = 0;
        for (let k = 0; k <= 2 * radius; k++) s += weights[k]! * values[at(y, mirror(width, x + k - radius), c)]!;
        tmp[at(y, x, c)] = s;
      }
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < channels; c++) {
        let s = 0;
        for (let k = 0; k <= 2 * radius; k++) s += weights[k]! * tmp[at(mirror(height, y + k - radius), x, c)]!;
        out[at(y, x, c)] = s;
      }
  return out;
}

describe('gaussianFilter', () => {
  it('gives the plain reference bit for bit: interiors, edges, images narrower than the kernel, 7 taps and others, 1 to 3 channels', () => {
    let seed = 3;
    const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    const scratch = new ScratchArrays();
    for (const [height, width, channels, sigma] of [
      [30, 41, 3, 0.8],
      [224, 224, 1, 0.8],
      [5, 2, 1, 0.8], // shorter than the kernel's radius 3 on one side
      [1, 9, 3, 2],
      [40, 50, 2, 1.5], // 13 taps: the general tap loop inside
      [12, 7, 2, 3.3], // radius 13: taps mirrored past a whole period
    ] as const) {
      // flat patches (so exact ties), noise and -0
      const values = Float64Array.from({ length: height * width * channels }, (_, i) =>
        i % 5 === 0 ? -0 : i % 7 < 3 ? 0.5 : next() * 2 - 1,
      );
      const want = referenceGaussian(values, height, width, channels, sigma);
      for (const got of [
        gaussianFilter(values, height, width, channels, sigma),
        gaussianFilter(values, height, width, channels, sigma, scratch),
      ])
        expect({ height, width, bits: Array.from(new Uint32Array(got.buffer, got.byteOffset, got.length * 2)) }).toEqual({
          height,
          width,
          bits: Array.from(new Uint32Array(want.buffer)),
        });
    }
  });
});
