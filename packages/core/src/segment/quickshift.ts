// SPDX-License-Identifier: Apache-2.0
import { normalFill } from '../random/normal-fill.js';
import { compactLabels } from './connectivity.js';
import { gaussianFilter, rgbToLab } from './lab.js';
import type { OptionNames } from '../api/option-names.js';

/** Options of Quick Shift (skimage.segmentation.quickshift's names and defaults). */
export interface QuickshiftOptions {
  /** Weight of colour against position, in (0, 1]. Default 1. */
  readonly ratio?: number;
  /** Width of the Gaussian density kernel. Default 5. */
  readonly kernelSize?: number;
  /** Cut-off distance: links longer than this end a tree. Default 10. */
  readonly maxDist?: number;
  /** Gaussian pre-smoothing. Default 0. */
  readonly sigma?: number;
  /** Seed of the tiny density noise that breaks ties (skimage: random_seed=42). Default 42. */
  readonly seed?: number;
}

/** Option names of quickshift (checked against QuickshiftOptions by the compiler; other names are rejected). */
export const QUICKSHIFT_OPTION_NAMES: OptionNames<QuickshiftOptions> = {
  ratio: true,
  kernelSize: true,
  maxDist: true,
  sigma: true,
  seed: true,
};

/** Quick Shift's colour features: (optionally smoothed) CIELAB times `ratio`, 3 per pixel (grey: value, 0, 0). */
export function quickshiftFeatures(
  values: ArrayLike<number>,
  height: number,
  width: number,
  channels: number,
  ratio: number,
  sigma: number,
): Float64Array {
  const pixels = height * width;
  const smoothed = gaussianFilter(values, height, width, channels, sigma);
  if (channels >= 3) return rgbToLab(smoothed, pixels, channels).map((v) => v * ratio);
  // Grey: the value itself (skimage converts to Lab only for RGB).
  const out = new Float64Array(pixels * 3);
  for (let p = 0; p < pixels; p++) out[p * 3] = smoothed[p * channels]! * ratio;
  return out;
}

/**
 * Quick Shift (Vedaldi & Soatto, ECCV 2008) on the CPU, as skimage: Lab colour (3 channels) times
 * `ratio` and pixel position form the feature space; a Parzen density with a Gaussian of width
 * `kernelSize` over a window of 3 kernel widths; every pixel links to its nearest neighbour of
 * higher density in the window, unless that is farther than `maxDist`; trees are segments.
 * CPU only: two passes of window sums, fast enough at LIME's sizes (it is LIME's default).
 *
 * @param values HWC image in [0, 1].
 */
export function quickshift(
  values: ArrayLike<number>,
  height: number,
  width: number,
  channels: number,
  options: QuickshiftOptions = {},
): { labels: Int32Array; count: number } {
  const { ratio = 1, kernelSize = 5, maxDist = 10, sigma = 0, seed = 42 } = options;
  const pixels = height * width;
  const features = quickshiftFeatures(values, height, width, channels, ratio, sigma);
  // Features as separate channels (colour times ratio); position is the pixel grid itself.
  const f0 = new Float64Array(pixels);
  const f1 = new Float64Array(pixels);
  const f2 = new Float64Array(pixels);
  for (let p = 0; p < pixels; p++) {
    f0[p] = features[p * 3]!;
    f1[p] = features[p * 3 + 1]!;
    f2[p] = features[p * 3 + 2]!;
  }
  const window = Math.ceil(3 * kernelSize);
  const inv = -0.5 / (kernelSize * kernelSize);
  // A pair whose exponent is below -40 adds < 5e-18 to a density >= 1 (the pixel itself): nothing
  // at f64 precision, so it is skipped without changing the result.
  const cutoff = -40 / inv;
  const noise = normalFill(seed, 0, pixels);
  const density = new Float64Array(pixels);
  // Parzen density, each symmetric pair computed once (q after p in raster order).
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const a0 = f0[p]!;
      const a1 = f1[p]!;
      const a2 = f2[p]!;
      let s = 1;
      for (let yy = y; yy < Math.min(height, y + window + 1); yy++) {
        const dy2 = (yy - y) * (yy - y);
        for (let xx = yy === y ? x + 1 : Math.max(0, x - window); xx < Math.min(width, x + window + 1); xx++) {
          const q = yy * width + xx;
          const d0 = a0 - f0[q]!;
          const d1 = a1 - f1[q]!;
          const d2 = a2 - f2[q]!;
          const d = d0 * d0 + d1 * d1 + d2 * d2 + dy2 + (xx - x) * (xx - x);
          if (d > cutoff) continue;
          const e = Math.exp(d * inv);
          s += e;
          density[q] = density[q]! + e;
        }
      }
      density[p] = density[p]! + s;
    }
  for (let p = 0; p < pixels; p++) density[p] = density[p]! + 1e-5 * noise[p]!;
  const parent = new Int32Array(pixels);
  const maxDist2 = maxDist * maxDist;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const a0 = f0[p]!;
      const a1 = f1[p]!;
      const a2 = f2[p]!;
      const own = density[p]!;
      let closest = Infinity;
      let link = p;
      for (let yy = Math.max(0, y - window); yy < Math.min(height, y + window + 1); yy++) {
        const dy2 = (yy - y) * (yy - y);
        for (let xx = Math.max(0, x - window); xx < Math.min(width, x + window + 1); xx++) {
          const q = yy * width + xx;
          if (density[q]! <= own) continue;
          const d0 = a0 - f0[q]!;
          const d1 = a1 - f1[q]!;
          const d2 = a2 - f2[q]!;
          const d = d0 * d0 + d1 * d1 + d2 * d2 + dy2 + (xx - x) * (xx - x);
          if (d < closest) {
            closest = d;
            link = q;
          }
        }
      }
      parent[p] = closest <= maxDist2 ? link : p;
    }
  return quickshiftRoots(parent);
}

/** Follows every link to its tree's root and numbers the roots: the segments. */
export function quickshiftRoots(parent: Int32Array | Uint32Array): { labels: Int32Array; count: number } {
  const pixels = parent.length;
  // Follow links to the roots (links always go up in density, so there are no cycles).
  for (let p = 0; p < pixels; p++) {
    let r = p;
    while (parent[r] !== r) r = parent[r]!;
    let i = p;
    while (parent[i] !== r && i !== r) {
      const n = parent[i]!;
      parent[i] = r;
      i = n;
    }
  }
  return compactLabels(parent);
}
