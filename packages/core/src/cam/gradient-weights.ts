// SPDX-License-Identifier: Apache-2.0
// Channel (or elementwise) weights of the gradient CAMs, as pytorch-grad-cam computes them.
import * as tf from '@tensorflow/tfjs';
import {
  broadcastMean,
  gradcamPpWeightsRef,
  gradientCamWeightsFor,
  runKernelSync,
  xgradCamWeightsRef,
  type CamWeighting,
  type KernelWeightedCam,
} from '@webxai/shaders';
import type { ExecutionPath } from '../api/types.js';
import { globalMeanRunsAsAvgPool } from '../interop/mean-as-avg-pool.js';
import { tfjsDevice } from '../interop/tfjs-webgpu.js';
import { streamToNewTensors } from '../interop/webgpu-kernel-backend.js';

export type GradientCamName = 'grad-cam' | 'grad-cam++' | 'xgrad-cam' | 'hires-cam' | 'layer-cam';

export interface CamWeights {
  /** `[n, k]` for 'channel' weighting, the activation's shape otherwise; caller disposes. */
  readonly weights: tf.Tensor;
  readonly weighting: CamWeighting;
}

/**
 * Whether `gradient` is one value per channel (`[n, 1, 1, k]`), the same at every position of an
 * activation with more than one: a linear GAP + Dense tail's closed form (pooledDenseEvidence) hands
 * it over un-broadcast.
 */
function isPerChannel(activation: tf.Tensor4D, gradient: tf.Tensor4D): boolean {
  return gradient.shape[1] === 1 && gradient.shape[2] === 1 && activation.shape[1] * activation.shape[2] > 1;
}

/** The gradient at every position of `activation` (a new tensor; tf.broadcastTo, a Tile, for a per-channel one). */
function fullGradient(activation: tf.Tensor4D, gradient: tf.Tensor4D): tf.Tensor4D {
  return isPerChannel(activation, gradient) ? tf.broadcastTo<tf.Rank.R4>(gradient, activation.shape) : tf.clone(gradient);
}

/**
 * Grad-CAM's weights, the mean of the gradient over the positions. A per-channel gradient on webgpu,
 * where tfjs's global Mean runs as AvgPool, takes one broadcast-mean dispatch: the same sums as the
 * AvgPool of its broadcast, so the same bits as tf.mean(tf.broadcastTo(...)) (a Tile + an AvgPool) in
 * one dispatch without writing the broadcast.
 */
async function gradCam(activation: tf.Tensor4D, gradient: tf.Tensor4D, path: ExecutionPath): Promise<tf.Tensor2D> {
  if (path === 'cpu' || !isPerChannel(activation, gradient) || !globalMeanRunsAsAvgPool()) {
    return tf.tidy(() => tf.mean<tf.Tensor2D>(fullGradient(activation, gradient), [1, 2]));
  }
  const [images, h, w, channels] = activation.shape;
  const params = { count: images * channels, positions: h * w };
  const [weights] = await streamToNewTensors([[images, channels]], [gradient], ([out], buffer, sink) =>
    runKernelSync(tfjsDevice(), broadcastMean, { params, values: buffer(gradient), output: out! }, sink),
  );
  return weights as tf.Tensor2D;
}

const WEIGHTS_REFERENCES = { 'grad-cam++': gradcamPpWeightsRef, 'xgrad-cam': xgradCamWeightsRef } as const;

/**
 * Grad-CAM++'s or XGrad-CAM's weights: one gradient-cam-weights dispatch on webgpu (tfjs's ops for
 * XGrad-CAM were a Tile, a Multiply, two Sums, an Add and a Div, 1.5x the gradient pass in Chromium,
 * session 29), its f64 reference on cpu.
 */
async function kernelWeights(
  method: KernelWeightedCam,
  activation: tf.Tensor4D,
  gradient: tf.Tensor4D,
  path: ExecutionPath,
): Promise<tf.Tensor2D> {
  const [images, h, w, channels] = activation.shape;
  const shape = { images, positions: h * w, channels };
  if (path === 'cpu') {
    const full = fullGradient(activation, gradient);
    const [a, g] = await Promise.all([activation.data(), full.data()]).finally(() => full.dispose());
    return tf.tensor2d(WEIGHTS_REFERENCES[method](a, g, shape), [images, channels]);
  }
  // Recorded into tfjs's stream: no flush of the pass before it and no submit of its own. A
  // per-channel gradient is read with position stride 0: no broadcast written first.
  const kernel = gradientCamWeightsFor(method, !isPerChannel(activation, gradient));
  const [weights] = await streamToNewTensors([[images, channels]], [activation, gradient], ([out], buffer, sink) =>
    runKernelSync(tfjsDevice(), kernel, { params: shape, act: buffer(activation), grad: buffer(gradient), weights: out! }, sink),
  );
  return weights as tf.Tensor2D;
}

/**
 * Weights of a gradient CAM (A = activation, g = d score / d A, sums over positions p; `gradient`
 * has the activation's shape, or is `[n, 1, 1, k]` when the same at every position):
 * - grad-cam: mean_p g (Selvaraju et al. 2017)
 * - grad-cam++: sum_p relu(g) alpha, alpha = g^2 / (2 g^2 + sum_p A * g^3 + 1e-6) (kernel gradient-cam-weights)
 * - xgrad-cam: sum_p g A / (sum_p A + 1e-7) (Fu et al. 2020; kernel gradient-cam-weights)
 * - hires-cam: g, elementwise (Draelos & Carin 2020)
 * - layer-cam: relu(g), elementwise (Jiang et al. 2021)
 */
export async function gradientCamWeights(
  method: GradientCamName,
  activation: tf.Tensor4D,
  gradient: tf.Tensor4D,
  path: ExecutionPath,
): Promise<CamWeights> {
  switch (method) {
    case 'grad-cam':
      return { weights: await gradCam(activation, gradient, path), weighting: 'channel' };
    case 'grad-cam++':
    case 'xgrad-cam':
      return { weights: await kernelWeights(method, activation, gradient, path), weighting: 'channel' };
    case 'hires-cam':
      return { weights: fullGradient(activation, gradient), weighting: 'elementwise' };
    case 'layer-cam':
      return { weights: fullGradient(activation, gradient), weighting: 'elementwise-relu' };
  }
}
