// SPDX-License-Identifier: Apache-2.0
import { camMethod } from './pipeline.js';
import { gradientCamWeights, type GradientCamName } from './gradient-weights.js';
import type { MethodDefinition } from '../api/types.js';
import { scoreCamWeights } from './score-cam.js';
import { ablationCamWeights } from './ablation-cam.js';

const gradientCam = <M extends GradientCamName>(name: M): MethodDefinition<M> =>
  camMethod(name, {
    gradients: true,
    weights: (pass) => gradientCamWeights(name, pass.activation, pass.gradient!, pass.call.path),
  });

/**
 * `'grad-cam'` (Selvaraju et al., ICCV 2017): channel weights = spatial mean of d score / d A.
 * @example
 * const r = await explain(model, image, { method: 'grad-cam', layer: 'auto' });
 * r.attribution; // [1, h, w] in [0, 1]; r.map: [1, 7, 7] raw; r.layer: 'conv5_block3_out'
 */
export const gradCam = gradientCam('grad-cam');
/** `'grad-cam++'` (Chattopadhyay et al., WACV 2018), pytorch-grad-cam's form of the alpha weights. */
export const gradCamPlusPlus = gradientCam('grad-cam++');
/** `'xgrad-cam'` (Fu et al., BMVC 2020): sum_p g A / (sum_p A + 1e-7). */
export const xGradCam = gradientCam('xgrad-cam');
/** `'hires-cam'` (Draelos & Carin 2020): sum_k g * A elementwise, no spatial averaging. */
export const hiResCam = gradientCam('hires-cam');
/** `'layer-cam'` (Jiang et al., TIP 2021): sum_k relu(g) * A elementwise. */
export const layerCam = gradientCam('layer-cam');

/**
 * `'eigen-cam'` (Muhammad & Yeasin, IJCNN 2020): the first principal component of the activations;
 * needs no gradient and ignores the target (reported anyway).
 */
export const eigenCam = camMethod('eigen-cam', {
  gradients: false,
  weights: () => Promise.resolve(undefined),
  // The maps need no classes: the predicted ones (reported) come back with the maps' peaks.
  takesDeviceClasses: true,
});

/**
 * `'score-cam'` (Wang et al., CVPRW 2020): softmax over channels of the target score of the input
 * masked by each upsampled, normalised channel; `batchSize` masked images per model call (default 16).
 */
export const scoreCam = camMethod('score-cam', { gradients: false, defaultBatchSize: 16, weights: scoreCamWeights });

/**
 * `'ablation-cam'` (Desai & Ramaswamy, WACV 2020): relative drop of the target score when each
 * channel is ablated; `batchSize` ablated activations per tail call (default 32).
 */
export const ablationCam = camMethod('ablation-cam', {
  gradients: false,
  defaultBatchSize: 32,
  weights: ablationCamWeights,
  // Its tail passes start from each layer's split (context included), so each layer has its own head pass.
  needsSplit: true,
  // The pooled shortcut reads the target's Dense column on the GPU; the general path reads the
  // predicted classes with its activation minima: they need not come back before the weights.
  takesDeviceClasses: true,
});
