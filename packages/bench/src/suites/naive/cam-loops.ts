// SPDX-License-Identifier: Apache-2.0
// Grad-CAM, Score-CAM and Ablation-CAM as a tfjs user writes them for a Sequential model without webxai (the
// tfjs-examples "visualize-convnet" recipe): split the model at the layer, apply the layers after it
// one by one, tf.grad for Grad-CAM; one masked image per channel through the model, each score
// awaited, for Score-CAM; the tail once per zeroed channel, each awaited, for Ablation-CAM. All return the map at the layer's resolution, row-major, after the ReLU.
import type * as tfNamespace from '@tensorflow/tfjs';

type Tf = typeof tfNamespace;
type Model = tfNamespace.LayersModel;

/** The layer's activations [1, h, w, k] for `image` and a function applying the layers after it. */
export function splitAt(tf: Tf, model: Model, image: tfNamespace.Tensor4D, layer: string) {
  const head = tf.model({ inputs: model.inputs, outputs: model.getLayer(layer).output });
  const after = model.layers.slice(model.layers.indexOf(model.getLayer(layer)) + 1);
  const tail = (x: tfNamespace.Tensor) => after.reduce((y, l) => l.apply(y) as tfNamespace.Tensor, x);
  return { activation: head.predict(image) as tfNamespace.Tensor4D, tail };
}

/** ReLU(sum_k weights[..., k] * activation[..., k]) as a flat [h * w] array (weights: one per channel, or per element). */
export async function weightedSum(tf: Tf, activation: tfNamespace.Tensor4D, weights: tfNamespace.Tensor): Promise<Float32Array> {
  const map = tf.tidy(() => tf.relu(tf.sum(tf.mul(activation, weights), -1)));
  const values = (await map.data()) as Float32Array;
  map.dispose();
  return values;
}

/** Grad-CAM (Selvaraju et al. 2017): channel weights = spatial mean of d score / d activation. */
export async function naiveGradCam(tf: Tf, model: Model, image: tfNamespace.Tensor4D, target: number, layer: string) {
  const { activation, tail } = splitAt(tf, model, image, layer);
  const gradient = tf.grad((a: tfNamespace.Tensor) => tail(a).slice([0, target], [1, 1]).sum())(activation);
  const weights = tf.tidy<tfNamespace.Tensor1D>(() => tf.mean(gradient, [0, 1, 2]));
  const map = await weightedSum(tf, activation, weights);
  tf.dispose([activation, gradient, weights]);
  return map;
}

/**
 * Score-CAM (Wang et al. 2020) as pytorch-grad-cam: each channel upsampled to the image (bilinear,
 * align_corners) and min-max normalised (+ 1e-8) masks the image; the target scores, softmaxed over the
 * channels, weight them.
 */
export async function naiveScoreCam(tf: Tf, model: Model, image: tfNamespace.Tensor4D, target: number, layer: string) {
  const { activation } = splitAt(tf, model, image, layer);
  const [, height, width] = image.shape;
  const channels = activation.shape[3];
  const scores: number[] = [];
  for (let k = 0; k < channels; k++) {
    const score = tf.tidy(() => {
      const up = tf.image.resizeBilinear(activation.slice([0, 0, 0, k], [1, -1, -1, 1]), [height, width], true);
      const [low, high] = [up.min(), up.max()];
      const mask = tf.div(tf.sub(up, low), tf.add(tf.sub(high, low), 1e-8));
      return (model.predict(tf.mul(image, mask)) as tfNamespace.Tensor).slice([0, target], [1, 1]);
    });
    scores.push((await score.data())[0]!);
    score.dispose();
  }
  const weights = tf.tidy<tfNamespace.Tensor1D>(() => tf.softmax(tf.tensor1d(scores)));
  const map = await weightedSum(tf, activation, weights);
  tf.dispose([activation, weights]);
  return map;
}

/**
 * Ablation-CAM (Desai & Ramaswamy 2020) as pytorch-grad-cam for a ReLU layer: channel k's weight is
 * the relative drop of the target score when the tail sees channel k zeroed.
 */
export async function naiveAblationCam(tf: Tf, model: Model, image: tfNamespace.Tensor4D, target: number, layer: string) {
  const { activation, tail } = splitAt(tf, model, image, layer);
  const channels = activation.shape[3];
  const scoreOf = async (a: tfNamespace.Tensor) => {
    const score = tf.tidy(() => tail(a).slice([0, target], [1, 1]));
    const value = (await score.data())[0]!;
    score.dispose();
    return value;
  };
  const original = await scoreOf(activation);
  const drops: number[] = [];
  for (let k = 0; k < channels; k++) {
    const ablated = tf.tidy(() => tf.mul(activation, tf.sub(1, tf.oneHot([k], channels).reshape([1, 1, 1, channels]))));
    drops.push((original - (await scoreOf(ablated))) / original);
    ablated.dispose();
  }
  const weights = tf.tensor1d(drops);
  const map = await weightedSum(tf, activation, weights);
  tf.dispose([activation, weights]);
  return map;
}
