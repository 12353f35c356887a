// SPDX-License-Identifier: Apache-2.0
// One forward + backward pass through a split model: the layer's activation, the scores, and
// d score[target] / d activation, all from the same pass.
import * as tf from '@tensorflow/tfjs';
import { UnknownLayerError } from '@webxai/shaders';
import type { ModelSplit, TappedModel } from '../model/split/types.js';
import { inputGradient, inputGradients } from '../interop/input-gradients.js';
import { chosenMask, classMask, scoreSeed } from '../gradient/score-seed.js';

export interface LayerEvidence {
  readonly activation: tf.Tensor4D;
  readonly scores: tf.Tensor2D;
  readonly gradient?: tf.Tensor4D;
}

/**
 * How a pass without given targets picks each row's class from its scores (int32 `[rows]`, on the
 * GPU): the row's own argmax, or with augSmooth the argmax of the image's unchanged copy
 * (augmentedClasses).
 */
export type ChooseClasses = (scores: tf.Tensor2D) => tf.Tensor1D;

/** Each row's own argmax (its first maximum). */
export const ownArgmax: ChooseClasses = (scores) => tf.argMax<tf.Tensor1D>(scores, 1);

/** 1 at each row's target class (or the `choose`n one when `targets` is undefined), 0 elsewhere. */
function targetMask(scores: tf.Tensor2D, targets: readonly number[] | undefined, choose: ChooseClasses): tf.Tensor2D {
  const classes = scores.shape[1];
  return targets ? classMask(targets, classes) : chosenMask(choose(scores), classes);
}

/** The objective of a pass: its gradient w.r.t. the scores is the rows' target mask (see scoreSeed). */
function targetSeed(scores: tf.Tensor2D, targets: readonly number[] | undefined, choose: ChooseClasses): tf.Scalar {
  return scoreSeed(scores, targetMask(scores, targets, choose));
}

/**
 * Runs the head, then the tail inside tf.grad, so one forward pass gives the activation and the
 * scores and one backward pass (from the scores to the layer only) gives the gradient.
 * `targets` has one class per row; undefined means the class `choose` picks for each row from the
 * scores (inside the pass).
 * @throws {UnknownLayerError} the tail has an op without a gradient (lists the candidate layers).
 */
export function forwardBackward(
  split: ModelSplit,
  x: tf.Tensor4D,
  targets: readonly number[] | undefined,
  candidates: readonly string[],
  choose: ChooseClasses = ownArgmax,
): Required<LayerEvidence> {
  const { activation, context } = split.head(x);
  let scores: tf.Tensor2D | undefined;
  try {
    const gradient = inputGradient((a) => {
      const s = split.tail(context, a);
      scores = tf.keep(s);
      return targetSeed(s, targets, choose);
    }, activation);
    return { activation, scores: scores!, gradient };
  } catch (cause) {
    tf.dispose([activation, scores]);
    throw notDifferentiable(cause, split.layer.name, candidates);
  } finally {
    tf.dispose([...context.values()]);
  }
}

/** A gradient failure as an UnknownLayerError listing the candidates; anything else unchanged. */
function notDifferentiable(cause: unknown, layer: string, candidates: readonly string[]): unknown {
  const message = (cause as Error)?.message ?? String(cause);
  if (!/gradient/i.test(message)) return cause;
  return new UnknownLayerError(`the model is not differentiable from layer '${layer}' to its output (${message})`, candidates, { cause });
}

/** Every layer's activation (and gradient), and the scores, from one pass through a {@link TappedModel}. */
export interface ManyLayerEvidence {
  readonly activations: tf.Tensor4D[];
  readonly scores: tf.Tensor2D;
  /** Present when asked for: d score[target] / d activation per layer. */
  readonly gradients?: tf.Tensor4D[];
}

/**
 * One forward pass (and, for `gradients`, one backward pass from the scores to the earliest layer)
 * for several layers: the taps are zeros of each layer's shape, so the values are the model's and
 * the gradient w.r.t. tap i is the gradient w.r.t. layer i's activation. `shapes` are the layers'
 * output shapes for this batch. Targets as {@link forwardBackward}.
 * @throws {UnknownLayerError} the model is not differentiable from one of the layers.
 */
export function forwardBackwardMany(
  tapped: TappedModel,
  x: tf.Tensor4D,
  shapes: readonly (readonly [number, number, number, number])[],
  targets: readonly number[] | undefined,
  candidates: readonly string[],
  gradients: boolean,
  choose: ChooseClasses = ownArgmax,
): ManyLayerEvidence {
  const activations: tf.Tensor4D[] = [];
  const capture = (i: number, value: tf.Tensor4D) => void (activations[i] = tf.keep(value));
  if (!gradients) {
    const scores = tf.tidy(() => tapped.run(x, [], capture));
    return { activations, scores };
  }
  const taps = shapes.map((shape) => tf.zeros<tf.Rank.R4>(shape as [number, number, number, number]));
  let scores: tf.Tensor2D | undefined;
  try {
    const grads = inputGradients((...fed) => {
      const s = tapped.run(x, fed, capture);
      scores = tf.keep(s);
      return targetSeed(s, targets, choose);
    }, taps);
    return { activations, scores: scores!, gradients: grads };
  } catch (cause) {
    tf.dispose([...activations, scores]);
    throw notDifferentiable(cause, tapped.layers.map((l) => l.name).join("', '"), candidates);
  } finally {
    tf.dispose(taps);
  }
}
