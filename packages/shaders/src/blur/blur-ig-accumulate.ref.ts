// SPDX-License-Identifier: Apache-2.0
import type { PathBatch } from '../integrated-gradients/ig-path-points.ref.js';

/**
 * CPU reference for blur-ig-accumulate.wgsl (f64, in the kernel's order); also the CPU path. Updates
 * `attribution`; the batch holding an image's first point starts that image from 0, as the kernel.
 */
export function blurIgAccumulateRef(
  weights: ArrayLike<number>,
  points: ArrayLike<number>,
  ahead: ArrayLike<number>,
  gradients: ArrayLike<number>,
  attribution: Float32Array<ArrayBuffer>,
  invGradStep: number,
  batch: PathBatch,
): void {
  const { elementCount: n, firstPoint, pointCount, pointsPerImage } = batch;
  const last = firstPoint + pointCount;
  const scale = Math.fround(invGradStep);
  for (let image = Math.floor(firstPoint / pointsPerImage); image * pointsPerImage < last; image++) {
    const lo = Math.max(firstPoint, image * pointsPerImage);
    const hi = Math.min(last, (image + 1) * pointsPerImage);
    for (let e = 0; e < n; e++) {
      let sum = 0;
      for (let t = lo; t < hi; t++) {
        const k = (t - firstPoint) * n + e;
        sum += Math.fround(weights[t]!) * (Math.fround(ahead[k]! - points[k]!) * scale) * gradients[k]!;
      }
      attribution[image * n + e] = (lo === image * pointsPerImage ? 0 : attribution[image * n + e]!) + sum;
    }
  }
}
