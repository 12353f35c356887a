// SPDX-License-Identifier: Apache-2.0
// Channel (or elementwise) weights of the gradient CAMs, as pytorch-grad-cam computes them.
import * as tf from '@tensorflow/tfjs';
import { gradcamPpWeights, gradcamPpWeightsRef, runKernelSync, type CamWeighting } from '@webxai/shaders';
import type { ExecutionPath } from '../api/types.js';
import { tfjsDevice } from '../interop/tfjs-webgpu.js';
import { streamToNewTensors } from '../interop/webgpu-kernel-backend.js';

export type GradientCamName = 'grad-cam' | 'grad-cam++' | 'xgrad-cam' | 'hires-cam' | 'layer-cam';

export interface CamWeights {
  /** `[n, k]` for 'channel' weighting, the activation's shape otherwise; caller disposes. */
  readonly weights: tf.Tensor;
  readonly weighting: CamWeighting;
}

async function gradCamPlusPlus(activation: tf.Tensor4D, gradient: tf.Tensor4D, path: ExecutionPath): Promise<tf.Tensor2D> {
  const [images, h, w, channels] = activation.shape;
  const shape = { images, positions: h * w, channels };
  if (path === 'cpu') {
    const [a, g] = await Promise.all([activation.data(), gradient.data()]);
    return tf.tensor2d(gradcamPpWeightsRef(a, g, shape), [images, channels]);
  }
  // Recorded into tfjs's stream: no flush of the pass before it and no submit of its own.
  const [weights] = await streamToNewTensors([[images, channels]], [activation, gradient], ([out], buffer, sink) =>
    runKernelSync(tfjsDevice(), gradcamPpWeights, { params: shape, act: buffer(activation), grad: buffer(gradient), weights: out! }, sink),
  );
  return weights as tf.Tensor2D;
}

/**
 * Weights of a gradient CAM (A = activation, g = d score / d A, sums over positions p):
 * - grad-cam: mean_p g (Selvaraju et al. 2017)
 * - grad-cam++: sum_p relu(g) alpha, alpha = g^2 / (2 g^2 + sum_p A * g^3 + 1e-6) (kernel gradcam-pp-weights)
 * - xgrad-cam: sum_p g A / (sum_p A + 1e-7) (Fu et al. 2020)
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
      return { weights: tf.mean(gradient, [1, 2]), weighting: 'channel' };
    case 'grad-cam++':
      return { weights: await gradCamPlusPlus(activation, gradient, path), weighting: 'channel' };
    case 'xgrad-cam':
      return {
        weights: tf.tidy(() => tf.div(tf.sum(tf.mul(gradient, activation), [1, 2]), tf.add(tf.sum(activation, [1, 2]), 1e-7))),
        weighting: 'channel',
      };
    case 'hires-cam':
      return { weights: tf.clone(gradient), weighting: 'elementwise' };
    case 'layer-cam':
      return { weights: tf.clone(gradient), weighting: 'elementwise-relu' };
  }
}
