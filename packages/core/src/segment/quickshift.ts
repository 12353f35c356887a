// SPDX-License-Identifier: Apache-2.0
import { normalRef } from '@webxai/shaders';
import { compactLabels } from './connectivity.js';
import { gaussianFilter, rgbToLab } from './lab.js';

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

/**
 * Quick Shift (Vedaldi & Soatto, ECCV 2008) on the CPU, as skimage: Lab colour (3 channels) times
 * `ratio` and pixel position form the feature space; a Parzen density with a Gaussian of width
 * `kernelSize` over a window of 3 kernel widths; every pixel links to its nearest neighbour of
 * higher density in the window, unless that is farther than `maxDist`; trees are segments.
 * CPU only: two passes of window sums, fast enough at LIME's sizes (it is LIME's default).
 *
 * @param values HWC image in [0, 1].
 */
export function quickshift(values: ArrayLike<number>, height: number, width: number, channels: number, options: QuickshiftOptions = {}): { labels: Int32Array; count: number } {
  const { ratio = 1, kernelSize = 5, maxDist = 10, sigma = 0, seed = 42 } = options;
  const pixels = height * width;
  const smoothed = gaussianFilter(values, height, width, channels, sigma);
  const lab = channels >= 3 ? rgbToLab(smoothed, pixels, channels) : Float64Array.from(smoothed, (v) => v * 100);
  const dims = channels >= 3 ? 3 : 1;
  const f = lab.map((v) => v * ratio);
  const window = Math.ceil(3 * kernelSize);
  const inv = -0.5 / (kernelSize * kernelSize);
  const spatial = new Float64Array((2 * window + 1) ** 2);
  for (let dy = -window; dy <= window; dy++) for (let dx = -window; dx <= window; dx++) spatial[(dy + window) * (2 * window + 1) + dx + window] = dy * dy + dx * dx;

  const colour2 = (p: number, q: number) => {
    let d = 0;
    for (let c = 0; c < dims; c++) {
      const diff = f[p * dims + c]! - f[q * dims + c]!;
      d += diff * diff;
    }
    return d;
  };
  const noise = normalRef(seed, 0, pixels);
  const density = new Float64Array(pixels);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      let s = 0;
      for (let yy = Math.max(0, y - window); yy < Math.min(height, y + window + 1); yy++) {
        const row = (yy - y + window) * (2 * window + 1) + window - x;
        for (let xx = Math.max(0, x - window); xx < Math.min(width, x + window + 1); xx++) {
          s += Math.exp((colour2(p, yy * width + xx) + spatial[row + xx]!) * inv);
        }
      }
      density[p] = s + 1e-5 * noise[p]!;
    }
  const parent = new Int32Array(pixels);
  const maxDist2 = maxDist * maxDist;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      let closest = Infinity;
      let link = p;
      for (let yy = Math.max(0, y - window); yy < Math.min(height, y + window + 1); yy++) {
        const row = (yy - y + window) * (2 * window + 1) + window - x;
        for (let xx = Math.max(0, x - window); xx < Math.min(width, x + window + 1); xx++) {
          const q = yy * width + xx;
          if (density[q]! <= density[p]!) continue;
          const d = colour2(p, q) + spatial[row + xx]!;
          if (d < closest) {
            closest = d;
            link = q;
          }
        }
      }
      parent[p] = closest <= maxDist2 ? link : p;
    }
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
