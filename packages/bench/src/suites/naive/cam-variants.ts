// SPDX-License-Identifier: Apache-2.0
// The other gradient CAMs and Eigen-CAM as a tfjs user writes them without webxai: naive Grad-CAM's
// split model and tf.grad (./cam-loops.ts) with each paper's weighting as pytorch-grad-cam computes
// it, and Eigen-CAM's first principal component by power iteration on the host. All return the map
// at the layer's resolution, row-major, after the ReLU.
import type * as tfNamespace from '@tensorflow/tfjs';
import { splitAt, weightedSum } from './cam-loops.js';

type Tf = typeof tfNamespace;
type Model = tfNamespace.LayersModel;
type Tensor = tfNamespace.Tensor;
/** Channel or elementwise weights from the activation A and the gradient g = d score / d A. */
type Weighting = (tf: Tf, a: Tensor, g: Tensor) => Tensor;

/** The CAM of `weighting` at `layer`: one forward to the layer, one tf.grad through the layers after it. */
async function gradientCam(tf: Tf, model: Model, image: tfNamespace.Tensor4D, target: number, layer: string, weighting: Weighting) {
  const { activation, tail } = splitAt(tf, model, image, layer);
  const gradient = tf.grad((a: Tensor) => tail(a).slice([0, target], [1, 1]).sum())(activation);
  const weights = tf.tidy(() => weighting(tf, activation, gradient));
  const map = await weightedSum(tf, activation, weights);
  tf.dispose([activation, gradient, weights]);
  return map;
}

/** Grad-CAM++ (Chattopadhyay et al. 2018): sum_p relu(g) g^2 / (2 g^2 + sum_p A * g^3 + 1e-6), 0 where g = 0. */
const gradCamPlusPlus: Weighting = (tf, a, g) => {
  const g2 = tf.square(g);
  const alpha = tf.div(g2, tf.add(tf.add(tf.mul(g2, 2), tf.mul(tf.sum(a, [0, 1, 2]), tf.mul(g2, g))), 1e-6));
  return tf.sum(tf.mul(tf.relu(g), tf.where(tf.notEqual(g, 0), alpha, tf.zerosLike(alpha))), [0, 1, 2]);
};

/** XGrad-CAM (Fu et al. 2020): sum_p g A / (sum_p A + 1e-7). */
const xGradCam: Weighting = (tf, a, g) => tf.div(tf.sum(tf.mul(g, a), [0, 1, 2]), tf.add(tf.sum(a, [0, 1, 2]), 1e-7));

export const naiveGradCamPlusPlus = (tf: Tf, model: Model, image: tfNamespace.Tensor4D, target: number, layer: string) =>
  gradientCam(tf, model, image, target, layer, gradCamPlusPlus);
export const naiveXGradCam = (tf: Tf, model: Model, image: tfNamespace.Tensor4D, target: number, layer: string) =>
  gradientCam(tf, model, image, target, layer, xGradCam);
/** HiResCAM (Draelos & Carin 2020): the gradient itself, elementwise. */
export const naiveHiResCam = (tf: Tf, model: Model, image: tfNamespace.Tensor4D, target: number, layer: string) =>
  gradientCam(tf, model, image, target, layer, (t, _a, g) => t.clone(g));
/** Layer-CAM (Jiang et al. 2021): relu(gradient), elementwise. */
export const naiveLayerCam = (tf: Tf, model: Model, image: tfNamespace.Tensor4D, target: number, layer: string) =>
  gradientCam(tf, model, image, target, layer, (t, _a, g) => t.relu(g));

/** The leading eigenvector of the symmetric n x n matrix `m` (row-major) by power iteration. */
function leadingEigenvector(m: Float64Array, n: number, iterations = 1000): Float64Array {
  let v = new Float64Array(n).fill(1 / Math.sqrt(n));
  for (let it = 0; it < iterations; it++) {
    const next = Float64Array.from({ length: n }, (_, i) => v.reduce((s, vj, j) => s + m[i * n + j]! * vj, 0));
    const norm = Math.hypot(...next);
    const change = next.reduce((s, x, i) => s + Math.abs(x / norm - v[i]!), 0);
    v = next.map((x) => x / norm);
    if (change < 1e-12) break;
  }
  return v;
}

/**
 * Eigen-CAM (Muhammad & Yeasin 2020) as pytorch-grad-cam's get_2d_projection: the activations
 * [positions, k] to the host, each channel centred over the positions, projected onto the first
 * right singular vector (the leading eigenvector of X^T X), signed to correlate with the centred
 * channel sum (webxai's default; an SVD's sign is arbitrary).
 */
export async function naiveEigenCam(tf: Tf, model: Model, image: tfNamespace.Tensor4D, layer: string) {
  const { activation } = splitAt(tf, model, image, layer);
  const [, h, w, k] = activation.shape;
  const values = await activation.data();
  activation.dispose();
  const rows = Array.from({ length: h * w }, (_, p) => Float64Array.from(values.subarray(p * k, (p + 1) * k)));
  const means = Float64Array.from({ length: k }, (_, j) => rows.reduce((s, r) => s + r[j]!, 0) / rows.length);
  rows.forEach((r) => r.forEach((x, j) => (r[j] = x - means[j]!)));
  const gram = new Float64Array(k * k);
  for (const r of rows) for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) gram[i * k + j]! += r[i]! * r[j]!;
  const v = leadingEigenvector(gram, k);
  const projection = rows.map((r) => r.reduce((s, x, j) => s + x * v[j]!, 0));
  const agreement = rows.reduce((s, r, p) => s + projection[p]! * r.reduce((a, b) => a + b, 0), 0);
  return Float32Array.from(projection, (x) => Math.max(agreement < 0 ? -x : x, 0));
}
