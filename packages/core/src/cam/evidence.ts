// SPDX-License-Identifier: Apache-2.0
// One forward + backward pass through a split model: the layer's activation, the scores, and
// d score[target] / d activation, all from the same pass.
import * as tf from '@tensorflow/tfjs';
import { UnknownLayerError } from '@webxai/shaders';
import type { ModelSplit } from '../model/split/types.js';

export interface LayerEvidence {
  readonly activation: tf.Tensor4D;
  readonly scores: tf.Tensor2D;
  readonly gradient?: tf.Tensor4D;
}

/** 1 at each row's target class (or its argmax when `targets` is undefined), 0 elsewhere. */
function targetMask(scores: tf.Tensor2D, targets: readonly number[] | undefined): tf.Tensor2D {
  const classes = scores.shape[1];
  if (classes === 1) return tf.onesLike(scores);
  // argMax and oneHot have zero gradients, so the mask adds nothing to d score / d activation.
  const indices = targets ? tf.tensor1d(targets as number[], 'int32') : tf.argMax(scores, 1);
  return tf.cast(tf.oneHot(indices as tf.Tensor1D, classes), 'float32') as tf.Tensor2D;
}

/**
 * Runs the head, then the tail inside tf.grad, so one forward pass gives the activation and the
 * scores and one backward pass (from the scores to the layer only) gives the gradient.
 * `targets` has one class per row; undefined means each row's argmax (resolved inside the pass).
 * @throws {UnknownLayerError} the tail has an op without a gradient (lists the candidate layers).
 */
export function forwardBackward(
  split: ModelSplit,
  x: tf.Tensor4D,
  targets: readonly number[] | undefined,
  candidates: readonly string[],
): Required<LayerEvidence> {
  const { activation, context } = split.head(x);
  let scores: tf.Tensor2D | undefined;
  try {
    const gradient = tf.grad((a: tf.Tensor) => {
      const s = split.tail(context, a as tf.Tensor4D);
      scores = tf.keep(s);
      return tf.sum(tf.mul(s, targetMask(s, targets)));
    })(activation) as tf.Tensor4D;
    return { activation, scores: scores!, gradient };
  } catch (cause) {
    tf.dispose([activation, scores]);
    const message = (cause as Error)?.message ?? String(cause);
    if (/gradient/i.test(message)) {
      throw new UnknownLayerError(
        `the model is not differentiable from layer '${split.layer.name}' to its output (${message})`,
        candidates,
        { cause },
      );
    }
    throw cause;
  } finally {
    tf.dispose([...context.values()]);
  }
}
