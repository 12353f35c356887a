// SPDX-License-Identifier: Apache-2.0
// Guided IG's step as PAIR-code/saliency's data-dependent loop on the host, for backends without
// the guided-ig-step kernel (step-kernel.ts) and as that kernel's oracle in guided-ig.gpu.test.ts:
// per selection iteration a few tfjs ops and one awaited readback (the current L1 distance, with the
// selectable L1), gamma in f64.
import * as tf from '@tensorflow/tfjs';
import { selectSmallestGradients } from './selection.js';
import { GUIDED_IG_L1_TOLERANCE, GUIDED_IG_MAX_ITERATIONS, type StepBounds } from './constants.js';

/** Per-explanation constants of the path: where the input differs from the baseline, and a divisor safe to use. */
export interface PathGeometry {
  readonly xIn: tf.Tensor2D;
  readonly xBase: tf.Tensor2D;
  readonly diff: tf.Tensor2D;
  readonly hasDiff: tf.Tensor2D;
  readonly safeDiff: tf.Tensor2D;
}

/** The sum of |a - b| per row. */
function l1Distance(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.sum(tf.abs(tf.sub(a, b)), 1));
}

/** The L1 distance to x_max of the selected features (`selected`: a 1 / 0 mask), per row. */
function selectableL1(clipped: tf.Tensor2D, xMax: tf.Tensor2D, selected: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.sum(tf.mul(tf.abs(tf.sub(clipped, xMax)), selected), 1));
}

/** Reads an [n] vector back as numbers; disposes it. */
async function readVector(vector: tf.Tensor1D): Promise<number[]> {
  return Array.from(await vector.data().finally(() => vector.dispose()));
}

/** Reads two [n] vectors back in one readback (an awaited round trip is ~3 ms on lavapipe); disposes them. */
async function readVectors(first: tf.Tensor1D, second: tf.Tensor1D): Promise<[number[], number[]]> {
  const stacked = tf.tidy(() => tf.stack([first, second]));
  tf.dispose([first, second]);
  const values = Array.from(await stacked.data().finally(() => stacked.dispose()));
  const n = first.shape[0];
  return [values.slice(0, n), values.slice(n)];
}

/** A [n, 1] bool column from one flag per row. */
function rowFlags(flags: readonly boolean[]): tf.Tensor2D {
  return tf.cast(tf.tensor2d(flags.map(Number), [flags.length, 1]), 'bool');
}

/**
 * Features that fell behind alpha_min jump to x_min (PAIR: x[x_alpha < alpha_min] = x_min), in
 * images still `going`. Where the input equals the baseline, x_alpha is alpha_max (never behind).
 */
function clipBehind(x: tf.Tensor2D, xMin: tf.Tensor2D, alphaMin: number, path: PathGeometry, going: readonly boolean[]): tf.Tensor2D {
  return tf.tidy(() => {
    const behind = tf.logicalAnd(path.hasDiff, tf.less(tf.div(tf.sub(x, path.xBase), path.safeDiff), alphaMin));
    return tf.where<tf.Tensor2D>(tf.logicalAnd(rowFlags(going), behind), xMin, x);
  });
}

/**
 * Where the selected features of each row go: x_max (assigned, not computed, so that `x == x_max`
 * marks finished features exactly) in rows with gamma > 1, else the fraction gamma of the way.
 * Call inside tf.tidy.
 */
function towardsMax(clipped: tf.Tensor2D, xMax: tf.Tensor2D, gamma: readonly number[]): tf.Tensor2D {
  const allTheWay = gamma.map((g) => g > 1);
  if (allTheWay.every(Boolean)) return xMax;
  const fractions = tf.tensor2d(
    gamma.map((g) => Math.min(g, 1)),
    [gamma.length, 1],
  );
  const partial = tf.add<tf.Tensor2D>(clipped, tf.mul(tf.sub(xMax, clipped), fractions));
  if (!allTheWay.some(Boolean)) return partial;
  return tf.where(tf.broadcastTo(rowFlags(allTheWay), clipped.shape), xMax, partial);
}

/** The next point: the selected features of `moving` rows moved {@link towardsMax}, the rest as they are. */
function nextPoint(
  clipped: tf.Tensor2D,
  xMax: tf.Tensor2D,
  selected: tf.Tensor2D,
  moving: readonly boolean[],
  gamma: readonly number[],
): tf.Tensor2D {
  if (!moving.some(Boolean)) return clipped.clone();
  return tf.tidy(() => {
    const chosen = tf.cast(selected, 'bool');
    const mask = moving.every(Boolean) ? chosen : tf.logicalAnd(chosen, rowFlags(moving));
    return tf.where(mask, towardsMax(clipped, xMax, gamma), clipped);
  });
}

/**
 * One step of Guided IG for a batch on the host: PAIR's selection loop from `x` with a fixed
 * `gradient` until each image's L1 distance to the input is within GUIDED_IG_L1_TOLERANCE of its
 * `totals` (f64) times the step's target fraction. Takes ownership of `x` and `attribution` and
 * returns their successors.
 */
export async function hostStep(
  gradient: tf.Tensor2D,
  path: PathGeometry,
  totals: readonly number[],
  state: { x: tf.Tensor2D; attribution: tf.Tensor2D },
  bounds: StepBounds,
  kth: number,
): Promise<{ x: tf.Tensor2D; attribution: tf.Tensor2D }> {
  let { x, attribution } = state;
  const l1Target = totals.map((t) => t * bounds.targetFraction);
  const [xMin, xMax] = tf.tidy(
    () =>
      [tf.add(path.xBase, tf.mul(path.diff, bounds.alphaMin)), tf.add(path.xBase, tf.mul(path.diff, bounds.alphaMax))] as [
        tf.Tensor2D,
        tf.Tensor2D,
      ],
  );
  let going = totals.map((t) => t > 0); // images still iterating in this step
  let expectClose = false;
  try {
    for (let iteration = 0; iteration < GUIDED_IG_MAX_ITERATIONS && going.some(Boolean); iteration++) {
      const clipped = clipBehind(x, xMin, bounds.alphaMin, path, going);
      let current: number[];
      let selected: tf.Tensor2D | undefined;
      let selectable: number[] = [];
      if (expectClose) {
        // After partial moves the images are usually at their targets: check before selecting.
        current = await readVector(l1Distance(clipped, path.xIn));
      } else {
        // The selection does not depend on the current L1 distance: both sums come back in one readback.
        selected = selectSmallestGradients(gradient, clipped, xMax, kth);
        [current, selectable] = await readVectors(l1Distance(clipped, path.xIn), selectableL1(clipped, xMax, selected));
      }
      const close = going.map((g, i) => g && Math.abs(l1Target[i]! - current[i]!) <= GUIDED_IG_L1_TOLERANCE * totals[i]!);
      const moving = going.map((g, i) => g && !close[i]);
      if (!selected && moving.some(Boolean)) {
        // Select the `fraction` of features with the smallest |gradient| among those not at x_max.
        selected = selectSmallestGradients(gradient, clipped, xMax, kth);
        selectable = await readVector(selectableL1(clipped, xMax, selected));
      }
      const gamma = moving.map((m, i) =>
        !m ? 0 : selectable[i]! > 0 ? (current[i]! - l1Target[i]!) / selectable[i]! : Number.POSITIVE_INFINITY,
      );
      const next = selected ? nextPoint(clipped, xMax, selected, moving, gamma) : clipped.clone();
      const updated = tf.tidy(() => tf.add<tf.Tensor2D>(attribution, tf.mul(tf.sub(next, x), gradient)));
      tf.dispose([clipped, x, attribution]);
      selected?.dispose();
      x = next;
      attribution = updated;
      going = moving;
      expectClose = moving.some(Boolean) && gamma.every((g) => g <= 1);
    }
  } catch (error) {
    tf.dispose([x, attribution]); // the caller holds only the tensors it passed in
    throw error;
  } finally {
    tf.dispose([xMin, xMax]);
  }
  return { x, attribution };
}
