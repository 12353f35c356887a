// SPDX-License-Identifier: Apache-2.0
// A finite input whose activations, gradients or scores come out NaN or Inf is the model's fault (a
// NaN weight, a preprocess step that makes NaN, an activation that overflows f32). The CAM kernels
// would hide it (a ReLU or a min/max may turn NaN into 0: an all-zero map on webgpu, a NaN map on
// cpu), so cam-map marks the image's peak NaN, the scores' finiteness rides in the same readback, and
// the host throws on reading them.
import * as tf from '@tensorflow/tfjs';
import { ModelError } from '@webxai/shaders';
import { sumByProducts } from './sum-by-products.js';

/** Where a CAM's evidence is NaN or Inf: the layer and the first such image. */
export interface FaultAt {
  readonly layer: string;
  readonly image: number;
}

/**
 * The error for a CAM whose evidence at `at` is NaN or Inf, or whose scores are (`scoresFinite`
 * false; `at` then adds what the layer showed, when it showed anything).
 */
export function camModelFault(method: string, at: FaultAt | undefined, scoresFinite = true): ModelError {
  const fix = "check the model's weights and the preprocess step";
  const layer = at && `activations or gradients at layer '${at.layer}' are NaN or Inf`;
  if (scoresFinite && at)
    return new ModelError(`${method}: the model's ${layer} for a finite input (image ${at.image}): ${fix}, or pick an earlier layer`);
  const also = at ? ` (and its ${layer}, image ${at.image})` : '';
  return new ModelError(`${method}: the model returned NaN or Inf scores for a finite input${also}: ${fix}`);
}

/**
 * Throws {@link camModelFault} when a value of `peaks` (one per row; rows beyond `images` are
 * augmented copies of image `row % images`) is not finite, or the scores are not.
 * @throws {ModelError} a peak or a score is NaN or Inf.
 */
export function throwIfModelFault(method: string, layer: string, peaks: ArrayLike<number>, images: number, scoresFinite = true): void {
  const row = Array.prototype.findIndex.call(peaks, (v: number) => !Number.isFinite(v));
  if (row < 0 && scoresFinite) return;
  throw camModelFault(method, row < 0 ? undefined : { layer, image: row % images }, scoresFinite);
}

/**
 * Per row of `x` (`[n, a, b]`): 0 where all its values are finite, NaN where one is NaN or Inf
 * (0 times a finite value is 0, 0 times NaN or Inf is NaN; summed, since max() may drop a NaN).
 * The sums are products with ones (sumByProducts): the values are 0 or NaN whatever the order.
 */
export function nonFiniteMarks(x: tf.Tensor3D): tf.Tensor1D {
  return tf.tidy(() => {
    const zeros = tf.mul<tf.Tensor3D>(x, tf.scalar(0));
    const columns = sumByProducts(zeros, 'rows'); // [n, 1, b]
    return tf.reshape<tf.Rank.R1>(sumByProducts(columns, 'columns'), [x.shape[0]]);
  });
}
