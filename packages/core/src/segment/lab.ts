// SPDX-License-Identifier: Apache-2.0
import type { ScratchArrays } from './scratch-arrays.js';

const linearize = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
const labF = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);

/**
 * CIELAB (D65) of an HWC image in [0, 1], as skimage.color.rgb2lab (f64, not quantized): 3 values
 * per pixel. One channel: L only (a = b = 0). Extra channels beyond 3 are ignored.
 */
export function rgbToLab(unit: ArrayLike<number>, pixels: number, channels: number): Float64Array {
  const out = new Float64Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    const base = p * channels;
    if (channels < 3) {
      out[p * 3] = 116 * labF(linearize(unit[base]!)) - 16;
      continue;
    }
    const r = linearize(unit[base]!);
    const g = linearize(unit[base + 1]!);
    const b = linearize(unit[base + 2]!);
    const fx = labF((0.412453 * r + 0.35758 * g + 0.180423 * b) / 0.95047);
    const fy = labF(0.212671 * r + 0.71516 * g + 0.072169 * b);
    const fz = labF((0.019334 * r + 0.119193 * g + 0.950227 * b) / 1.08883);
    out[p * 3] = 116 * fy - 16;
    out[p * 3 + 1] = 500 * (fx - fy);
    out[p * 3 + 2] = 200 * (fy - fz);
  }
  return out;
}

/**
 * For each index i < n and tap k <= 2 radius, the source index of i + k - radius mirrored at the
 * edges (scipy's 'reflect', half-sample symmetric; any distance, also past a whole period): one
 * table per axis instead of two modulos per tap.
 */
function reflectedTaps(n: number, radius: number): Int32Array {
  const taps = 2 * radius + 1;
  const period = 2 * n;
  const table = new Int32Array(n * taps);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < taps; k++) {
      let j = (((i + k - radius) % period) + period) % period;
      if (j >= n) j = period - 1 - j;
      table[i * taps + k] = j;
    }
  return table;
}

/**
 * Separable Gaussian filter per channel with scipy.ndimage's defaults (truncate 4, mode 'reflect'
 * = half-sample symmetric), as skimage's filters use. Returns a new array; with `scratch`, a view
 * into it (valid until its next user), and its temporary there too.
 */
export function gaussianFilter(
  values: ArrayLike<number>,
  height: number,
  width: number,
  channels: number,
  sigma: number,
  scratch?: ScratchArrays,
): Float64Array {
  const out = scratch ? scratch.float64('gaussianOut', values.length) : new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i]!;
  if (!(sigma > 0)) return out;
  const radius = Math.floor(4 * sigma + 0.5);
  const weights = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-0.5 * ((i - radius) / sigma) ** 2));
  const total = weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < weights.length; i++) weights[i]! /= total;
  const taps = weights.length;
  const columns = reflectedTaps(width, radius);
  const rows = reflectedTaps(height, radius);
  const tmp = scratch ? scratch.float64('gaussianTmp', out.length) : new Float64Array(out.length);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < channels; c++) {
        let s = 0;
        for (let k = 0; k < taps; k++) s += weights[k]! * out[(y * width + columns[x * taps + k]!) * channels + c]!;
        tmp[(y * width + x) * channels + c] = s;
      }
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < channels; c++) {
        let s = 0;
        for (let k = 0; k < taps; k++) s += weights[k]! * tmp[(rows[y * taps + k]! * width + x) * channels + c]!;
        out[(y * width + x) * channels + c] = s;
      }
  return out;
}
