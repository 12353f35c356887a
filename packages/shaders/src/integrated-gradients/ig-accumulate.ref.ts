// SPDX-License-Identifier: Apache-2.0
import { ShapeMismatchError } from '../runtime/errors.js';
import { checkPathBatch, type PathBatch } from './ig-path-points.ref.js';
import type { PathPlan } from './path-plan.js';

/**
 * CPU reference for ig-accumulate.wgsl (f64 inside, points summed in plan order, one rounding per
 * image value on store); also the CPU path. Adds the batch's terms into `attribution` in place.
 *
 * @param gradients `pointCount * elementCount` path gradients of the batch, point-major.
 * @param attribution `images * elementCount` running attribution (mutated and returned).
 */
export function igAccumulateRef(
  input: ArrayLike<number>,
  baselines: ArrayLike<number>,
  plan: PathPlan,
  gradients: ArrayLike<number>,
  attribution: Float32Array<ArrayBuffer>,
  batch: PathBatch,
): Float32Array<ArrayBuffer> {
  checkPathBatch(plan, batch, input.length, baselines.length);
  const { elementCount: n, firstPoint, pointCount, pointsPerImage } = batch;
  if (gradients.length < pointCount * n) {
    throw new ShapeMismatchError(`igAccumulateRef: ${gradients.length} gradient values for ${pointCount} points of ${n}`);
  }
  if (attribution.length !== input.length) {
    throw new ShapeMismatchError(`igAccumulateRef: attribution has ${attribution.length} values, input ${input.length}`);
  }
  const last = firstPoint + pointCount;
  for (let image = Math.floor(firstPoint / pointsPerImage); image * pointsPerImage < last; image++) {
    const lo = Math.max(firstPoint, image * pointsPerImage);
    const hi = Math.min(last, (image + 1) * pointsPerImage);
    for (let e = 0; e < n; e++) {
      const x = input[image * n + e]!;
      let sum = 0;
      for (let t = lo; t < hi; t++) {
        const b = baselines[plan.baselineRows[t]! * n + e]!;
        sum += Math.fround(plan.weights[t]!) * (x - b) * gradients[(t - firstPoint) * n + e]!;
      }
      attribution[image * n + e] = attribution[image * n + e]! + sum;
    }
  }
  return attribution;
}
