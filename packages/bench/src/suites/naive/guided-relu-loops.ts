// SPDX-License-Identifier: Apache-2.0
// Guided backprop and deconvnet as a tfjs user writes them without webxai: the Sequential model
// re-run layer by layer with each Conv2D / Dense ReLU split off into a tf.customGrad ReLU with the
// method's backward rule, and one tf.grad of the target's logit; guided Grad-CAM from guided
// backprop and naive Grad-CAM (./cam-loops.ts). The rebuild covers what this user needs for a
// Conv2D / pooling / Dense CNN like the MNIST one (dilation 1, no separate ReLU layers); webxai
// replaces the ReLU gradients of any LayersModel or GraphModel.
import type * as tfNamespace from '@tensorflow/tfjs';
import { naiveGradCam } from './cam-loops.js';

type Tf = typeof tfNamespace;
type Model = tfNamespace.LayersModel;
type Tensor = tfNamespace.Tensor;
type Layer = tfNamespace.layers.Layer;
/** The gradient a ReLU passes back, from the gradient dy arriving at it and its input x. */
type ReluRule = (tf: Tf, dy: Tensor, x: Tensor) => Tensor;

/** Guided backprop (Springenberg et al. 2015): positive gradients where the input was positive. */
const guided: ReluRule = (tf, dy, x) => tf.mul(tf.relu(dy), tf.step(x));
/** Deconvnet (Zeiler & Fergus 2014): the ReLU applied to the gradient, whatever the input was. */
const deconvnet: ReluRule = (tf, dy) => tf.relu(dy);

/** A ReLU whose gradient follows `rule`. */
function reluWith(tf: Tf, rule: ReluRule): (x: Tensor) => Tensor {
  return tf.customGrad((...args: (Tensor | tfNamespace.GradSaveFunc)[]) => {
    const [x, save] = args as [Tensor, tfNamespace.GradSaveFunc];
    save([x]);
    return { value: tf.relu(x), gradFunc: (dy: Tensor, [saved]: Tensor[]) => rule(tf, dy, saved!) };
  });
}

/** A Conv2D or Dense layer's output before its ReLU, from its weights and config. */
function beforeRelu(tf: Tf, layer: Layer, x: Tensor): Tensor {
  const [kernel, bias] = layer.getWeights();
  const config = layer.getConfig() as { strides?: [number, number]; padding?: 'same' | 'valid' };
  const linear =
    layer.getClassName() === 'Conv2D'
      ? tf.conv2d(x as tfNamespace.Tensor4D, kernel as tfNamespace.Tensor4D, config.strides!, config.padding!)
      : tf.matMul(x, kernel!);
  return bias ? tf.add(linear, bias) : linear;
}

/** The model's forward pass with its ReLU activations replaced by `relu`. */
function rebuiltForward(tf: Tf, model: Model, relu: (x: Tensor) => Tensor): (x: Tensor) => Tensor {
  const hasRelu = (layer: Layer) => (layer.getConfig() as { activation?: string }).activation === 'relu';
  return (x) => model.layers.reduce((y, layer) => (hasRelu(layer) ? relu(beforeRelu(tf, layer, y)) : (layer.apply(y) as Tensor)), x);
}

async function reluRuleGradient(tf: Tf, model: Model, image: tfNamespace.Tensor4D, target: number, rule: ReluRule) {
  const forward = rebuiltForward(tf, model, reluWith(tf, rule));
  const gradient = tf.grad((x: Tensor) => forward(x).slice([0, target], [1, 1]).sum())(image);
  const values = (await gradient.data()) as Float32Array;
  gradient.dispose();
  return values;
}

export const naiveGuidedBackprop = (tf: Tf, model: Model, image: tfNamespace.Tensor4D, target: number) =>
  reluRuleGradient(tf, model, image, target, guided);
export const naiveDeconvnet = (tf: Tf, model: Model, image: tfNamespace.Tensor4D, target: number) =>
  reluRuleGradient(tf, model, image, target, deconvnet);

/** pytorch-grad-cam's scale_cam_image normalisation: (x - min) / (1e-7 + max(x - min)). */
function minMaxNormalise(tf: Tf, x: Tensor): Tensor {
  const shifted = tf.sub(x, tf.min(x));
  return tf.div(shifted, tf.add(tf.max(shifted), 1e-7));
}

/**
 * Guided Grad-CAM (Selvaraju et al. 2017): guided backprop times the Grad-CAM map at `layer`
 * upsampled to the image as pytorch-grad-cam shows it (normalised, bilinear with half-pixel centres
 * as cv2.resize, normalised again); two passes, as a user combines the two methods.
 */
export async function naiveGuidedGradCam(tf: Tf, model: Model, image: tfNamespace.Tensor4D, target: number, layer: string) {
  const guidedValues = await naiveGuidedBackprop(tf, model, image, target);
  const camValues = await naiveGradCam(tf, model, image, target, layer);
  const [, h, w] = image.shape;
  const [, mapH, mapW] = model.getLayer(layer).outputShape as number[];
  const product = tf.tidy(() => {
    const cam = minMaxNormalise(tf, tf.tensor4d(camValues, [1, mapH!, mapW!, 1]));
    const upsampled = minMaxNormalise(tf, tf.image.resizeBilinear(cam as tfNamespace.Tensor4D, [h, w], false, true));
    return tf.mul(tf.tensor4d(guidedValues, image.shape), upsampled);
  });
  const values = (await product.data()) as Float32Array;
  product.dispose();
  return values;
}
