// SPDX-License-Identifier: Apache-2.0
import { ShapeMismatchError } from '../runtime/errors.js';

/**
 * The points of a batch of straight-line paths, one entry per point t (all images' points,
 * image-major: point t belongs to image floor(t / pointsPerImage)):
 *   point_t = baselines[baselineRows[t]] + alphas[t] * (input[image] - baselines[baselineRows[t]])
 * and its weight in the attribution sum. Shared by ig-path-points and ig-accumulate.
 */
export interface PathPlan {
  readonly alphas: ArrayLike<number>;
  readonly weights: ArrayLike<number>;
  /** Row of the baselines buffer each point starts from. */
  readonly baselineRows: ArrayLike<number>;
}

/** 32-bit words per point in the packed plan (WGSL struct PathPoint { alpha: f32, weight: f32, baselineRow: u32 }). */
export const PATH_POINT_WORDS = 3;

/** Number of points in `plan`; throws when its arrays disagree in length. */
export function pathPlanLength(plan: PathPlan): number {
  const n = plan.alphas.length;
  if (plan.weights.length !== n || plan.baselineRows.length !== n) {
    throw new ShapeMismatchError(
      `path plan: alphas (${n}), weights (${plan.weights.length}) and baselineRows (${plan.baselineRows.length}) must have the same length`,
    );
  }
  return n;
}

/** Packs `plan` into the storage layout the kernels read (f32 alpha, f32 weight, u32 row per point). */
export function packPathPlan(plan: PathPlan): Float32Array<ArrayBuffer> {
  const n = pathPlanLength(plan);
  const words = new Float32Array(Math.max(4, n * PATH_POINT_WORDS));
  const rows = new Uint32Array(words.buffer);
  for (let t = 0; t < n; t++) {
    words[t * PATH_POINT_WORDS] = plan.alphas[t]!;
    words[t * PATH_POINT_WORDS + 1] = plan.weights[t]!;
    rows[t * PATH_POINT_WORDS + 2] = plan.baselineRows[t]!;
  }
  return words;
}

/** The f32 values the GPU sees for the plan's alphas and weights (the reference rounds the same way). */
export function roundedPlan(plan: PathPlan): PathPlan {
  return {
    alphas: Float32Array.from(plan.alphas),
    weights: Float32Array.from(plan.weights),
    baselineRows: Uint32Array.from(plan.baselineRows),
  };
}
