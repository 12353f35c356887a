// SPDX-License-Identifier: Apache-2.0
// The table behind `explain(model, input, { method })`. Each method family adds its definitions here
// (one import and one entry each) and its types to MethodRegistry from its own folder.
import type { MethodDefinition, MethodName } from './types.js';
import { blurIg, expectedGradients, gradientXInput, guidedIg, integratedGradients, saliency, smoothGrad } from '../gradient/index.js';
import { anchors, kernelShap, lime, occlusion, partitionShap, rise, xrai } from '../perturbation/index.js';
import { ablationCam, eigenCam, gradCam, gradCamPlusPlus, hiResCam, layerCam, scoreCam, xGradCam } from '../cam/index.js';
import { deconvnet, guidedBackprop, guidedGradCam } from '../features/index.js';

export const METHODS: { readonly [M in MethodName]?: MethodDefinition<M> } = {
  saliency,
  'gradient-x-input': gradientXInput,
  'integrated-gradients': integratedGradients,
  smoothgrad: smoothGrad,
  'expected-gradients': expectedGradients,
  'blur-ig': blurIg,
  'guided-ig': guidedIg,
  occlusion,
  rise,
  lime,
  'kernel-shap': kernelShap,
  'partition-shap': partitionShap,
  anchors,
  xrai,
  'grad-cam': gradCam,
  'grad-cam++': gradCamPlusPlus,
  'xgrad-cam': xGradCam,
  'hires-cam': hiResCam,
  'layer-cam': layerCam,
  'eigen-cam': eigenCam,
  'score-cam': scoreCam,
  'ablation-cam': ablationCam,
  'guided-backprop': guidedBackprop,
  deconvnet,
  'guided-grad-cam': guidedGradCam,
};
