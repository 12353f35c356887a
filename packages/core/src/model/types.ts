// SPDX-License-Identifier: Apache-2.0
import type * as tf from '@tensorflow/tfjs';

/** Any model that only predicts: a black box, e.g. an ONNX Runtime session or a remote endpoint. */
export interface BlackBoxModel {
  /**
   * Probabilities or logits for a batch of images, row-major `[n, classes]`.
   * @param batch NHWC float32 pixels, `n * h * w * c` values.
   */
  predict(batch: Float32Array, shape: [n: number, h: number, w: number, c: number]): Promise<Float32Array>;
  /** Number of classes, when known up front (otherwise inferred from the first prediction). */
  readonly numClasses?: number;
  /** Largest batch the model accepts in one call (default: unlimited). */
  readonly maxBatch?: number;
  /**
   * True when `predict` never writes into the batch it is given. webxai may then keep a batch's
   * memory from one call to the next and rewrite only the pixels that change (perturbation methods
   * with superpixel samples). Leave it unset when predict normalises or otherwise edits `batch` in
   * place: every image is then written whole for every call.
   */
  readonly readsInputOnly?: boolean;
}

/** A differentiable function from an NHWC batch to `[batch, classes]` scores, built from tfjs ops. */
export type ModelFunction = (x: tf.Tensor4D) => tf.Tensor2D;

/** What `explain` accepts as a model. */
export type ModelInput = tf.LayersModel | tf.GraphModel | ModelFunction | BlackBoxModel;

/** How the model was recognised. */
export type ModelKind = 'layers' | 'graph' | 'function' | 'black-box';

/**
 * A model, normalised. Every kind can `predict`; only tfjs kinds are `differentiable` and have a
 * synchronous `forward` usable inside `tf.grad`.
 */
export interface ModelAdapter {
  readonly kind: ModelKind;
  /** The object the user passed (CAM methods split LayersModels / GraphModels at a layer). */
  readonly source: ModelInput;
  /** `[height, width, channels]` the model expects, where known (null = any). */
  readonly inputShape: readonly [number | null, number | null, number | null] | undefined;
  /** True when `forward` exists and gradients flow through it. */
  readonly differentiable: boolean;
  /** Scores `[batch, classes]`, synchronously, differentiable (tfjs kinds only; includes `preprocess`). */
  readonly forward: ((x: tf.Tensor4D) => tf.Tensor2D) | undefined;
  /**
   * Scores `[batch, classes]` for any kind; batches larger than the model's limit are split.
   * Rejects with ModelError when the model throws or returns the wrong shape or NaN.
   */
  predict(x: tf.Tensor4D, signal?: AbortSignal): Promise<tf.Tensor2D>;
  /**
   * The scores of {@link ModelAdapter.predict} on the host, for callers that only need the values
   * (the perturbation methods): read back ONCE, the NaN/Inf check running on the values read, with
   * the same errors as `predict` (whose own check is a second readback, a GPU round trip each).
   */
  predictValues(x: tf.Tensor4D, signal?: AbortSignal): Promise<ModelScores>;
}

/** A batch's scores on the host: `values` holds `[batch, classes]` row-major. */
export interface ModelScores {
  readonly values: Float32Array;
  readonly classes: number;
}
