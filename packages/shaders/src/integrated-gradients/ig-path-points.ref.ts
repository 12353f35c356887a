// SPDX-License-Identifier: Apache-2.0
import { ShapeMismatchError } from '../runtime/errors.js';
import { pathPlanLength, type PathPlan } from './path-plan.js';

/** Which slice of the plan a batch covers. */
export interface PathBatch {
  /** h * w * c of one image. */
  readonly elementCount: number;
  /** Plan index of the batch's first point. */
  readonly firstPoint: number;
  /** Points in the batch. */
  readonly pointCount: number;
  /** Points per image: point t belongs to image floor(t / pointsPerImage). */
  readonly pointsPerImage: number;
}

/** Checks that a batch fits its plan, input and baselines (shared by the references and the core API). */
export function checkPathBatch(plan: PathPlan, batch: PathBatch, inputLength: number, baselinesLength: number): void {
  const { elementCount, firstPoint, pointCount, pointsPerImage } = batch;
  const total = pathPlanLength(plan);
  if (firstPoint + pointCount > total) {
    throw new ShapeMismatchError(`path batch [${firstPoint}, ${firstPoint + pointCount}) exceeds the plan's ${total} points`);
  }
  const images = inputLength / elementCount;
  if (Math.ceil(total / pointsPerImage) > images) {
    throw new ShapeMismatchError(`path plan has ${total} points for ${images} images of ${pointsPerImage} points`);
  }
  const rows = baselinesLength / elementCount;
  for (let t = firstPoint; t < firstPoint + pointCount; t++) {
    if (plan.baselineRows[t]! >= rows)
      throw new ShapeMismatchError(`path plan point ${t} uses baseline row ${plan.baselineRows[t]} of ${rows}`);
  }
}

/**
 * CPU reference for ig-path-points.wgsl (f64 inside, one rounding on store); also the CPU path.
 * @returns `pointCount * elementCount` values, point-major (NHWC of the batch).
 */
export function igPathPointsRef(
  input: ArrayLike<number>,
  baselines: ArrayLike<number>,
  plan: PathPlan,
  batch: PathBatch,
): Float32Array<ArrayBuffer> {
  checkPathBatch(plan, batch, input.length, baselines.length);
  const { elementCount: n, firstPoint, pointCount, pointsPerImage } = batch;
  const out = new Float32Array(pointCount * n);
  for (let p = 0; p < pointCount; p++) {
    const t = firstPoint + p;
    const image = Math.floor(t / pointsPerImage);
    const alpha = Math.fround(plan.alphas[t]!);
    const row = plan.baselineRows[t]!;
    for (let e = 0; e < n; e++) {
      const b = baselines[row * n + e]!;
      out[p * n + e] = b + alpha * (input[image * n + e]! - b);
    }
  }
  return out;
}
