// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { seededF32, seededInts } from '@webxai/testing';
import { perturbBatchRef } from '@webxai/shaders';
import { nhwcToNchw } from '../../model/onnx/from-onnx.js';
import { CpuPerturber } from './perturb-cpu.js';

describe('CpuPerturber', () => {
  const [h, w, c, segments, count] = [9, 13, 3, 7, 5];
  const pixels = h * w;
  const image = seededF32(pixels * c, 1, -1, 1);
  const fill = seededF32(pixels * c, 2, -1, 1);
  // spatially coherent labels (runs) with a few stray pixels
  const labels = Int32Array.from({ length: pixels }, (_, p) => (p % 17 === 0 ? 6 : Math.floor((p % w) / 4) + 3 * Math.floor(p / w / 5)));
  const binary = new Float32Array(seededInts((count + 1) * segments, 3, 0, 2));
  const fractional = seededF32((count + 1) * pixels, 4, 0, 1);
  fractional.fill(1, pixels, pixels + 10);
  fractional.fill(0, pixels + 10, pixels + 20);

  it.for(['nhwc', 'nchw'] as const)('equals perturbBatchRef bit for bit (%s)', (layout) => {
    const want = (out: Float32Array) => (layout === 'nchw' ? nhwcToNchw(out, count, pixels, c) : out);
    const seg = new CpuPerturber(image, fill, labels, pixels, c, w).write(
      new Float32Array(count * pixels * c),
      binary,
      segments,
      count,
      1,
      layout,
    );
    expect(Array.from(seg)).toEqual(
      Array.from(
        want(
          perturbBatchRef({
            image,
            fill,
            segments: labels,
            masks: binary,
            maskStride: segments,
            pixels,
            channels: c,
            count,
            sampleOffset: 1,
          }),
        ),
      ),
    );
    const pix = new CpuPerturber(image, fill, undefined, pixels, c, w).write(
      new Float32Array(count * pixels * c),
      fractional,
      pixels,
      count,
      1,
      layout,
    );
    expect(Array.from(pix)).toEqual(
      Array.from(
        want(perturbBatchRef({ image, fill, masks: fractional, maskStride: pixels, pixels, channels: c, count, sampleOffset: 1 })),
      ),
    );
    // One feature per pixel, numbered out of raster order (partition SHAP's pixel features in tree
    // order): runs of one pixel, written by the per-pixel select.
    const scattered = Int32Array.from({ length: pixels }, (_, p) => (p * 7) % pixels);
    const coalitions = new Float32Array(seededInts((count + 1) * pixels, 5, 0, 2));
    const each = new CpuPerturber(image, fill, scattered, pixels, c, w).write(
      new Float32Array(count * pixels * c),
      coalitions,
      pixels,
      count,
      1,
      layout,
    );
    expect(Array.from(each)).toEqual(
      Array.from(
        want(
          perturbBatchRef({
            image,
            fill,
            segments: scattered,
            masks: coalitions,
            maskStride: pixels,
            pixels,
            channels: c,
            count,
            sampleOffset: 1,
          }),
        ),
      ),
    );
    const zero = new Float32Array(pixels * c); // RISE: the m * x fast path
    const rise = new CpuPerturber(image, zero, undefined, pixels, c, w).write(
      new Float32Array(count * pixels * c),
      fractional,
      pixels,
      count,
      1,
      layout,
    );
    expect(Array.from(rise)).toEqual(
      Array.from(
        want(perturbBatchRef({ image, fill: zero, masks: fractional, maskStride: pixels, pixels, channels: c, count, sampleOffset: 1 })),
      ),
    );
  });
});
