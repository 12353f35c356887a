// SPDX-License-Identifier: Apache-2.0
// Expected gradients and Blur IG as a tfjs user writes them without webxai: one path point at a
// time through tf.grad, its gradient awaited and summed on the host. Blur IG blurs with two 1-D
// Gaussian convolutions (tf.depthwiseConv2d, zero padding: scipy's gaussian_filter mode 'constant',
// as PAIR-code/saliency's BlurIG calls it).
import type * as tfNamespace from '@tensorflow/tfjs';

type Tf = typeof tfNamespace;
type Model = tfNamespace.LayersModel;
type Tensor = tfNamespace.Tensor;

/** The gradient of the target's logit with respect to the input. */
function targetGradient(tf: Tf, model: Model, target: number): (x: Tensor) => Tensor {
  return tf.grad((x: Tensor) => (model.predict(x) as Tensor).slice([0, target], [1, 1]).sum());
}

/** One expected-gradients sample: a baseline row of the distribution and the point's alpha along the line to it. */
export interface PathDraw {
  readonly row: number;
  readonly alpha: number;
}

/** `count` draws: a uniform baseline row and alpha ~ U[0, 1) each (Math.random, as a user would). */
export function randomDraws(count: number, rows: number): PathDraw[] {
  return Array.from({ length: count }, () => ({ row: Math.floor(Math.random() * rows), alpha: Math.random() }));
}

/**
 * Expected gradients (Erion et al. 2021): the mean over `draws` of (x - b) * d score / d x at
 * b + alpha (x - b), with b the draw's row of `baselines` [m, h, w, c]; one tf.grad per draw.
 */
export async function naiveExpectedGradients(
  tf: Tf,
  model: Model,
  image: tfNamespace.Tensor4D,
  target: number,
  baselines: tfNamespace.Tensor4D,
  draws: readonly PathDraw[],
) {
  const gradientOf = targetGradient(tf, model, target);
  const sum = new Float32Array(image.size);
  for (const { row, alpha } of draws) {
    const baseline = baselines.slice([row, 0, 0, 0], [1, -1, -1, -1]);
    const point = tf.tidy(() => tf.add(baseline, tf.mul(tf.sub(image, baseline), alpha)));
    const gradient = gradientOf(point);
    const scaled = tf.tidy(() => tf.mul(tf.sub(image, baseline), gradient));
    ((await scaled.data()) as Float32Array).forEach((v, j) => (sum[j]! += v / draws.length));
    tf.dispose([baseline, point, gradient, scaled]);
  }
  return sum;
}

/** scipy.ndimage's 1-D Gaussian (truncate 4: radius int(4 sigma + 0.5)), normalised, in f64. */
function gaussianWeights(sigma: number): Float64Array {
  const radius = Math.floor(4 * sigma + 0.5);
  const weights = Float64Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / total);
}

/** gaussian_filter(image, [sigma, sigma, 0], mode='constant'): rows then columns; sigma 0 is the identity. */
function gaussianBlur(tf: Tf, image: tfNamespace.Tensor4D, sigma: number): tfNamespace.Tensor4D {
  if (sigma === 0) return image.clone();
  const weights = gaussianWeights(sigma);
  const channels = image.shape[3];
  return tf.tidy(() => {
    const taps = tf.tile(tf.tensor1d(Float32Array.from(weights)).reshape([weights.length, 1, 1, 1]), [1, 1, channels, 1]);
    const down = tf.depthwiseConv2d(image, taps as tfNamespace.Tensor4D, 1, 'same');
    return tf.depthwiseConv2d(down, tf.transpose(taps, [1, 0, 2, 3]) as tfNamespace.Tensor4D, 1, 'same');
  });
}

/**
 * Blur IG (Xu et al. 2020) as PAIR's BlurIG: sigmas 0 .. maxSigma in `steps` linear steps; at each,
 * (sigma_{i+1} - sigma_i) * (blur(sigma_i + gradStep) - blur(sigma_i)) / gradStep * d score / d x at
 * blur(sigma_i), summed and negated; one tf.grad per step.
 */
export async function naiveBlurIg(
  tf: Tf,
  model: Model,
  image: tfNamespace.Tensor4D,
  target: number,
  steps: number,
  maxSigma = 50,
  gradStep = 0.01,
) {
  const gradientOf = targetGradient(tf, model, target);
  const sigmas = Array.from({ length: steps + 1 }, (_, i) => (i * maxSigma) / steps);
  const sum = new Float32Array(image.size);
  for (let i = 0; i < steps; i++) {
    const point = gaussianBlur(tf, image, sigmas[i]!);
    const ahead = gaussianBlur(tf, image, sigmas[i]! + gradStep);
    const gradient = gradientOf(point);
    const term = tf.tidy(() => tf.mul(tf.mul(tf.sub(ahead, point), (sigmas[i + 1]! - sigmas[i]!) / gradStep), gradient));
    ((await term.data()) as Float32Array).forEach((v, j) => (sum[j]! -= v));
    tf.dispose([point, ahead, gradient, term]);
  }
  return sum;
}
