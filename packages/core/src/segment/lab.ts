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

/** The source index of i + k - radius mirrored at the edges (scipy's 'reflect', half-sample symmetric; any distance). */
function reflected(n: number, j: number): number {
  const period = 2 * n;
  j = ((j % period) + period) % period;
  return j >= n ? period - 1 - j : j;
}

/**
 * dst[i] = the sum of taps[k] * src[i + (k - radius) * step] for i in [first, end), summed from 0
 * tap by tap in order (every source index inside `src`).
 */
function filterInside(src: Float64Array, dst: Float64Array, taps: Float64Array, first: number, end: number, step: number): void {
  if (taps.length === 7) return filterInside7(src, dst, taps, first, end, step);
  const reach = ((taps.length - 1) / 2) * step;
  for (let i = first; i < end; i++) {
    let s = 0;
    for (let k = 0, at = i - reach; k < taps.length; k++, at += step) s += taps[k]! * src[at]!;
    dst[i] = s;
  }
}

/**
 * {@link filterInside} for 7 taps (sigma 0.8, Felzenszwalb's and XRAI's), written out: the same
 * sums in the same order, in a third of the time of the tap loop in V8 (which does not unroll it).
 */
function filterInside7(src: Float64Array, dst: Float64Array, taps: Float64Array, first: number, end: number, step: number): void {
  const [t0, t1, t2, t3, t4, t5, t6] = taps as unknown as [number, number, number, number, number, number, number];
  for (let i = first, at = first - 3 * step; i < end; i++, at++) {
    let s = 0;
    s += t0 * src[at]!;
    s += t1 * src[at + step]!;
    s += t2 * src[at + 2 * step]!;
    s += t3 * src[at + 3 * step]!;
    s += t4 * src[at + 4 * step]!;
    s += t5 * src[at + 5 * step]!;
    s += t6 * src[at + 6 * step]!;
    dst[i] = s;
  }
}

/**
 * `taps` (2 radius + 1 weights) along x over every row and channel of `src` into `dst`, each value
 * summed from 0 tap by tap in order, the edges mirrored: pixels whose taps all lie inside the row
 * read their neighbours directly; only the `radius` nearest each end look up mirrored ones.
 */
function filterAlongX(src: Float64Array, dst: Float64Array, taps: Float64Array, height: number, width: number, channels: number): void {
  const radius = (taps.length - 1) / 2;
  const mirrored = (row: number, x: number, c: number) => {
    let s = 0;
    for (let k = 0; k < taps.length; k++) s += taps[k]! * src[(row + reflected(width, x + k - radius)) * channels + c]!;
    dst[(row + x) * channels + c] = s;
  };
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < Math.min(radius, width); x++) for (let c = 0; c < channels; c++) mirrored(row, x, c);
    filterInside(src, dst, taps, (row + radius) * channels, (row + width - radius) * channels, channels);
    for (let x = Math.max(radius, width - radius); x < width; x++) for (let c = 0; c < channels; c++) mirrored(row, x, c);
  }
}

/**
 * `taps` along y (rows of `rowLength` values) into `dst`, each value summed from 0 tap by tap in
 * order: the rows whose taps all lie inside read them directly, the `radius` rows nearest each end
 * look their tap rows (mirrored) up.
 */
function filterAlongY(src: Float64Array, dst: Float64Array, taps: Float64Array, height: number, rowLength: number): void {
  const radius = (taps.length - 1) / 2;
  const tapRows = new Int32Array(taps.length);
  const mirrored = (y: number) => {
    for (let k = 0; k < taps.length; k++) tapRows[k] = reflected(height, y + k - radius) * rowLength;
    for (let j = 0; j < rowLength; j++) {
      let s = 0;
      for (let k = 0; k < taps.length; k++) s += taps[k]! * src[tapRows[k]! + j]!;
      dst[y * rowLength + j] = s;
    }
  };
  for (let y = 0; y < Math.min(radius, height); y++) mirrored(y);
  filterInside(src, dst, taps, radius * rowLength, (height - radius) * rowLength, rowLength);
  for (let y = Math.max(radius, height - radius); y < height; y++) mirrored(y);
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
  const tmp = scratch ? scratch.float64('gaussianTmp', out.length) : new Float64Array(out.length);
  const taps = Float64Array.from(weights);
  filterAlongX(out, tmp, taps, height, width, channels);
  filterAlongY(tmp, out, taps, height, width * channels);
  return out;
}
