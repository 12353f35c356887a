// SPDX-License-Identifier: Apache-2.0

/**
 * PAIR compares L1 distances with 1e-9 in float64; in f32 the sums carry ~1e-7 relative error, so
 * "close" here is within this fraction of the image's total L1 distance.
 */
export const GUIDED_IG_L1_TOLERANCE = 1e-5;
/** Safety cap on the selection iterations of one step (PAIR loops until the L1 target is met). */
export const GUIDED_IG_MAX_ITERATIONS = 64;

/** One step's bounds: features are kept between alpha_min and alpha_max of the way; the L1 target is targetFraction of the total. */
export interface StepBounds {
  readonly alphaMin: number;
  readonly alphaMax: number;
  readonly targetFraction: number;
}
