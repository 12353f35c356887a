// SPDX-License-Identifier: Apache-2.0
// Shared by every gradient method (and by CAM): the gradient of the target class score with
// respect to a batch, in one backward pass for all rows.
import * as tf from '@tensorflow/tfjs';
import { UnsupportedModelError } from '@webxai/shaders';
import { targetScoreSum } from '../api/targets.js';
import type { ModelAdapter } from '../model/types.js';

function forwardOf(model: Pick<ModelAdapter, 'forward' | 'kind'>): (x: tf.Tensor4D) => tf.Tensor2D {
  if (!model.forward) throw new UnsupportedModelError(`a ${model.kind} model has no differentiable forward pass`);
  return model.forward;
}

/**
 * d score[row, target] / d x for every row of `x`, in one backward pass: the gradient of the
 * sum over rows of each row's target score (rows do not interact in inference mode). `targets`
 * has one class per row, or one per group of `x.shape[0] / targets.length` consecutive rows
 * (path points, noisy samples of one image). Returns a new tensor of `x`'s shape; `x` is not
 * disposed. Runs on tfjs's active backend.
 *
 * @example
 * const g = targetGradients(adapter, batch, [3, 3, 7, 7]); // [4, h, w, c]
 */
export function targetGradients(model: Pick<ModelAdapter, 'forward' | 'kind'>, x: tf.Tensor4D, targets: readonly number[]): tf.Tensor4D {
  const forward = forwardOf(model);
  return tf.grad((input: tf.Tensor) => targetScoreSum(forward(input as tf.Tensor4D), targets))(x) as tf.Tensor4D;
}

/**
 * Each row's target score, read back (one small readback): `scores[row, targets[row / repeat]]`.
 * Uses the adapter's async `predict`, so NaN scores become a ModelError.
 */
export async function targetScores(model: ModelAdapter, x: tf.Tensor4D, targets: readonly number[]): Promise<number[]> {
  const scores = await model.predict(x);
  try {
    const values = await scores.data();
    const [rows, classes] = scores.shape;
    const repeat = rows / targets.length;
    return Array.from({ length: rows }, (_, r) => values[r * classes + targets[Math.floor(r / repeat)]!]!);
  } finally {
    scores.dispose();
  }
}
