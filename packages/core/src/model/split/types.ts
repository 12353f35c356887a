// SPDX-License-Identifier: Apache-2.0
import type * as tf from '@tensorflow/tfjs';

/** What a layer (or GraphModel node) does, for a UI picker. */
export type LayerKind =
  'conv' | 'activation' | 'add' | 'concat' | 'multiply' | 'pool' | 'normalization' | 'dense' | 'model' | 'reshape' | 'other';

/** A layer (LayersModel) or node (GraphModel) whose output a CAM method can use. */
export interface LayerInfo {
  /**
   * Name to pass as `layer`. Layers inside nested models are written `outer/inner` (a unique
   * inner name alone is accepted too); GraphModel nodes use their node name (e.g. `conv2/Relu`).
   */
  readonly name: string;
  /** Output shape with the batch dimension as null, e.g. `[null, 7, 7, 2048]`. */
  readonly outputShape: readonly (number | null)[];
  readonly kind: LayerKind;
  /** The layer's class (LayersModel, e.g. 'Conv2D') or the node's op (GraphModel, e.g. 'Relu'). */
  readonly className: string;
}

/** Values the tail needs besides the activation (skip connections), keyed internally. */
export type SplitContext = ReadonlyMap<string, tf.Tensor>;

/** What the head returns: the activation at the layer and the context the tail needs. */
export interface HeadOutput {
  readonly activation: tf.Tensor4D;
  readonly context: SplitContext;
}

/**
 * A model split at one layer: `head` computes the layer's activation (and whatever else the rest of
 * the model needs, e.g. the other branch of a skip connection), `tail` computes the scores from an
 * activation fed at the layer. `tail(head(x).context, head(x).activation)` equals the model's
 * output; `tail` is synchronous and differentiable w.r.t. the activation.
 */
export interface ModelSplit {
  readonly layer: LayerInfo;
  /** Runs the model up to the layer (preprocess included). The caller disposes both outputs. */
  head(x: tf.Tensor4D): HeadOutput;
  /** Scores `[batch, classes]` from an activation at the layer; context batch must match. Leaves intermediates: call inside tf.tidy / tf.grad. */
  tail(context: SplitContext, activation: tf.Tensor4D): tf.Tensor2D;
}

/**
 * The whole model as one function with a "tap" at each of several layers (LayersModels): a tensor
 * of the layer's output shape added to its output. With zero taps the output is the model's, and
 * the gradient w.r.t. tap i is d output / d activation i, so one forward and one backward pass give
 * every layer's activation and gradient (CAM with several layers).
 */
export interface TappedModel {
  readonly layers: readonly LayerInfo[];
  /**
   * Runs the model on `x` (preprocess included); adds `taps[i]` (when given) to layer i's output
   * and hands that value to `capture(i, value)`. Leaves intermediates: call inside tf.tidy / tf.grads.
   */
  run(x: tf.Tensor4D, taps: readonly (tf.Tensor4D | undefined)[], capture: (layer: number, value: tf.Tensor4D) => void): tf.Tensor2D;
}
