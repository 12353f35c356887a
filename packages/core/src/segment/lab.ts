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

/** Where lines of an image lie in its buffer, for {@link filterLines}. */
interface Lines {
  readonly lines: number;
  /** Values per line and channel. */
  readonly length: number;
  readonly channels: number;
  /** Index distance from one line's first value to the next line's. */
  readonly lineStride: number;
  /** Index distance between neighbours along a line. */
  readonly step: number;
}

/**
 * `taps` (2 radius + 1 weights) along every line of every channel of `src` into `dst`, each value
 * summed from 0 tap by tap in order, the edges mirrored. Positions whose taps all lie inside the
 * line read their neighbours directly; only the `radius` nearest each end look up mirrored ones.
 */
function filterLines(src: Float64Array, dst: Float64Array, taps: Float64Array, { lines, length, channels, lineStride, step }: Lines): void {
  const radius = (taps.length - 1) / 2;
  const edge = (start: number, i: number) => {
    let s = 0;
    for (let k = 0; k < taps.length; k++) s += taps[k]! * src[start + reflected(length, i + k - radius) * step]!;
    dst[start + i * step] = s;
  };
  for (let line = 0; line < lines; line++)
    for (let c = 0; c < channels; c++) {
      const start = line * lineStride + c;
      for (let i = 0; i < Math.min(radius, length); i++) edge(start, i);
      for (let i = radius; i < length - radius; i++) {
        let s = 0;
        let at = start + (i - radius) * step;
        for (let k = 0; k < taps.length; k++, at += step) s += taps[k]! * src[at]!;
        dst[start + i * step] = s;
      }
      for (let i = Math.max(radius, length - radius); i < length; i++) edge(start, i);
    }
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
  // Along x (neighbours `channels` apart), then along y (`width * channels` apart).
  filterLines(out, tmp, taps, { lines: height, length: width, channels, lineStride: width * channels, step: channels });
  filterLines(tmp, out, taps, { lines: width, length: height, channels, lineStride: channels, step: width * channels });
  return out;
}
