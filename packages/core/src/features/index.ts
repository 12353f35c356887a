// SPDX-License-Identifier: Apache-2.0
/** What a unit learned: guided backprop, deconvnet, guided Grad-CAM, layer activations, feature visualisation. */
export { guidedBackprop, deconvnet, type GuidedBackpropOptions, type GuidedBackpropResult } from './guided/guided-backprop.js';
export { guidedGradCam, type GuidedGradCamOptions, type GuidedGradCamResult } from './guided/guided-grad-cam.js';
export { overriddenForward, overriddenRelu, type OverriddenForward, type ReluGradient } from './guided/relu-override.js';
export {
  layerActivations,
  type LayerActivation,
  type LayerActivationsOptions,
  type LayerActivationsResult,
} from './activations/layer-activations.js';
export type { MosaicGrid } from './activations/mosaic.js';
export {
  visualizeFeature,
  type VisualizeFeatureOptions,
  type FeatureVisualization,
  type FeatureProgress,
} from './visualize/visualize-feature.js';
export type { FeatureTarget } from './visualize/objective.js';
export type { TransformOptions } from './visualize/transforms.js';
export type { Parametrisation } from './visualize/parametrisation.js';
