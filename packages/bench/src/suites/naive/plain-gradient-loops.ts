// SPDX-License-Identifier: Apache-2.0
// Saliency and gradient × input as a tfjs user writes them without webxai: one tf.grad of the
// target's logit, read back. The same single pass webxai makes, so their rows show webxai's fixed
// cost per call rather than a loop it removes.
import type * as tfNamespace from '@tensorflow/tfjs';

type Tf = typeof tfNamespace;
type Model = tfNamespace.LayersModel;
type Tensor = tfNamespace.Tensor;

/** `finish(gradient)` for d logit[target] / d image, read back (all tensors disposed). */
async function withGradient(tf: Tf, model: Model, image: tfNamespace.Tensor4D, target: number, finish: (g: Tensor) => Tensor) {
  const gradient = tf.grad((x: Tensor) => (model.predict(x) as Tensor).slice([0, target], [1, 1]).sum())(image);
  const result = tf.tidy(() => finish(gradient));
  const values = (await result.data()) as Float32Array;
  tf.dispose([gradient, result]);
  return values;
}

/** Saliency (Simonyan et al. 2014; Captum's Saliency, abs = true): |d score / d x|. */
export const naiveSaliency = (tf: Tf, model: Model, image: tfNamespace.Tensor4D, target: number) =>
  withGradient(tf, model, image, target, (g) => tf.abs(g));

/** Gradient × input (Shrikumar et al. 2016): x * d score / d x. */
export const naiveGradientXInput = (tf: Tf, model: Model, image: tfNamespace.Tensor4D, target: number) =>
  withGradient(tf, model, image, target, (g) => tf.mul(image, g));
