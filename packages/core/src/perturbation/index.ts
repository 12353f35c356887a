// SPDX-License-Identifier: Apache-2.0
/**
 * Perturbation explainers. All but XRAI need only the model's predictions, so they work with any
 * model, black boxes included; XRAI also integrates gradients and needs a differentiable tfjs model.
 */
export { occlusion, type OcclusionOptions, type OcclusionResult } from './occlusion/index.js';
export { rise, riseSamples, type RiseOptions, type RiseResult } from './rise/index.js';
export { lime, limeWeights, LIME_SEGMENTATION, type LimeOptions, type LimeResult } from './lime/index.js';
export {
  kernelShap,
  shapDesign,
  KERNEL_SHAP_SEGMENTATION,
  type KernelShapOptions,
  type KernelShapResult,
  type ShapDesign,
} from './kernel-shap/index.js';
export {
  partitionShap,
  partitionTree,
  owenValues,
  type PartitionShapOptions,
  type PartitionShapResult,
  type PartitionTree,
} from './partition-shap/index.js';
export { anchors, ANCHORS_SEGMENTATION, type AnchorsOptions, type AnchorsResult } from './anchors/index.js';
export { xrai, xraiCandidates, xraiRegions, type XraiOptions, type XraiResult } from './xrai/index.js';
export type { FillOption, SegmentsInput } from './shared/features.js';
