// SPDX-License-Identifier: Apache-2.0
// Why this exists: every gradient webxai takes starts from the target scores, d score[row, target] /
// d input, written as tf.grad of sum(scores * mask). tfjs records that as 3 ops forward (a oneHot of
// the classes, Multiply, Sum: a reduce program) and 2 backward (Sum's broadcast, Multiply), all to
// hand the model's last layer its dy, which is the mask itself. On a software GPU each of them is a
// dispatch of ~0.1-0.2 ms (Chromium's SwiftShader, session 15), a visible share of a single-image
// explanation; the CPU path pays the same ops in JavaScript. The seed below hands the mask to the
// backward pass directly: the same gradient bit for bit (mask * 1 = mask), no forward ops.
import * as tf from '@tensorflow/tfjs';
import { perRowTargets } from '../api/targets.js';

/**
 * A scalar whose gradient with respect to `scores` is `mask`, i.e. d sum(scores * mask) / d scores,
 * for tf.grad's own seed dy = 1. Its VALUE is 0, not that sum: use it only as the objective of a
 * gradient pass whose value nobody reads (inputGradient, inputGradients). `mask` is not disposed.
 */
export function scoreSeed(scores: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  const seed = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    (args[1] as tf.GradSaveFunc)([mask]);
    // A host scalar: nothing reads it, so it never reaches the GPU.
    return { value: tf.scalar(0), gradFunc: (_dy: tf.Tensor, saved: tf.Tensor[]) => tf.clone(saved[0]!) };
  });
  return seed(scores);
}

/**
 * {@link scoreSeed} for the classes `targets` gives each row (repeated as targetScoreSum repeats
 * them, see perRowTargets): the same gradient as targetScoreSum's, from a mask built on the host.
 */
export function targetsSeed(scores: tf.Tensor2D, targets: readonly number[]): tf.Scalar {
  const [batch, classes] = scores.shape;
  return scoreSeed(scores, classMask(perRowTargets(targets, batch), classes));
}

/**
 * `[rows.length, classes]` float32, 1 at each row's class: built on the host (no GPU op; uploaded
 * once, when used). A class out of range leaves its row all zero, as tf.oneHot does (the caller's
 * class check reports it).
 */
export function classMask(rows: readonly number[], classes: number): tf.Tensor2D {
  const mask = new Float32Array(rows.length * classes);
  rows.forEach((c, row) => {
    if (c < classes) mask[row * classes + c] = 1;
  });
  return tf.tensor2d(mask, [rows.length, classes]);
}

/**
 * `[rows, classes]` float32, 1 at each row's class in `chosen` (int32 `[rows]`, e.g. an argMax on
 * tfjs's backend: it has no gradient, so the mask adds nothing to the gradient).
 */
export function chosenMask(chosen: tf.Tensor1D, classes: number): tf.Tensor2D {
  // tf.oneHot needs a depth of 2 or more; one class is every row's.
  if (classes === 1) return classMask(new Array<number>(chosen.shape[0]).fill(0), 1);
  return tf.oneHot(chosen, classes, 1, 0, 'float32') as tf.Tensor2D;
}
