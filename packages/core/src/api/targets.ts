// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { InvalidOptionError } from '@webxai/shaders';

/** Which class to explain: one index for every image, one per image, or the argmax of the scores. */
export type Target = number | readonly number[] | 'predicted';

/** Checks the form of a target option before any model call. */
export function checkTargetOption(target: Target | undefined, batch: number): void {
  if (target === undefined || target === 'predicted') return;
  if (typeof target !== 'number' && !Array.isArray(target)) {
    throw new InvalidOptionError(`target must be a class index, an array of indices, or 'predicted'; got ${String(target)}`);
  }
  const list: readonly number[] = typeof target === 'number' ? [target] : target;
  if (typeof target !== 'number' && list.length !== batch) {
    throw new InvalidOptionError(`target has ${list.length} entries but the input has ${batch} images`);
  }
  for (const t of list) {
    if (!Number.isInteger(t) || t < 0) throw new InvalidOptionError(`target must be non-negative integers, got ${t}`);
  }
}

/**
 * Resolves `target` to one class index per image, given the model's scores for the batch.
 * @throws {InvalidOptionError} malformed targets, or a class index >= the number of classes.
 */
export async function resolveTargets(target: Target | undefined, scores: tf.Tensor2D): Promise<number[]> {
  const [batch, classes] = scores.shape;
  let resolved = givenTargets(target, batch);
  if (!resolved) {
    const argmax = tf.argMax(scores, 1);
    try {
      resolved = Array.from(await argmax.data());
    } finally {
      argmax.dispose();
    }
  }
  for (const t of resolved) checkTargetClass(t, classes);
  return resolved;
}

/**
 * The targets when the option names the classes (one index or one per image), with no scores
 * needed; undefined for 'predicted' (or no target). Checks the option's form; the class range is
 * checked once the model's class count is known ({@link checkTargetClass}).
 */
export function givenTargets(target: Target | undefined, batch: number): number[] | undefined {
  checkTargetOption(target, batch);
  if (target === undefined || target === 'predicted') return undefined;
  return typeof target === 'number' ? new Array<number>(batch).fill(target) : [...target];
}

/** @throws {InvalidOptionError} when class `target` is not one of the model's `classes`. */
export function checkTargetClass(target: number, classes: number): void {
  if (target >= classes) {
    throw new InvalidOptionError(`target class ${target} is out of range: the model has ${classes} classes (0..${classes - 1})`);
  }
}

/**
 * {@link resolveTargets} for scores already on the host ([batch, classes], row-major), with the same
 * checks and errors: 'predicted' is each row's first maximum.
 */
export function resolveTargetsOnHost(target: Target | undefined, scores: Float32Array, batch: number, classes: number): number[] {
  const resolved =
    givenTargets(target, batch) ??
    Array.from({ length: batch }, (_, b) => {
      let best = 0;
      for (let k = 1; k < classes; k++) if (scores[b * classes + k]! > scores[b * classes + best]!) best = k;
      return best;
    });
  for (const t of resolved) checkTargetClass(t, classes);
  return resolved;
}

/**
 * The score of each image's target class, summed over the batch: the scalar whose gradient gives
 * every image's d score[target] / d input at once (images do not interact in inference mode).
 * `targets` may be shorter than the batch when each image is repeated `batch / targets.length` times
 * consecutively (path points, noisy samples).
 */
export function targetScoreSum(scores: tf.Tensor2D, targets: readonly number[]): tf.Scalar {
  return tf.tidy(() => {
    const [batch, classes] = scores.shape;
    const mask = tf.oneHot(tf.tensor1d(perRowTargets(targets, batch), 'int32'), classes).toFloat();
    return tf.sum(tf.mul(scores, mask));
  });
}

/**
 * The class of each of `batch` rows: `targets` itself, or, when it is shorter, each target repeated
 * `batch / targets.length` times consecutively (path points, noisy samples; see targetScoreSum).
 */
export function perRowTargets(targets: readonly number[], batch: number): number[] {
  const repeat = batch / targets.length;
  return Array.from({ length: batch }, (_, i) => targets[Math.floor(i / repeat)]!);
}
