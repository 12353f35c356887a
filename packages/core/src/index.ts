// SPDX-License-Identifier: Apache-2.0
/** @webxai/core — explainers, model adapters and tfjs interop. */
export { explain, createExplainer, listMethods } from './api/explain.js';
export { disposeResult } from './api/dispose-result.js';
export { createExplainerFor, currentPath, type Explainer, type CallOverrides } from './api/explainer.js';
export type {
  CommonOptions,
  ExplainOptions,
  ExplainResultBase,
  ExecutionPath,
  MethodDefinition,
  MethodInstance,
  MethodName,
  MethodOptions,
  MethodOutput,
  MethodRegistry,
  OptionsFor,
  Progress,
  ResultFor,
  CallContext,
} from './api/types.js';
export { resolveTargets, targetScoreSum, type Target } from './api/targets.js';
export { toInputBatch } from './api/input.js';
export { checkOptionNames, nearestName, COMMON_OPTION_NAMES, type OptionNames } from './api/option-names.js';
export {
  booleanOption,
  choiceOption,
  describeValue,
  functionOption,
  integerOption,
  numberOption,
  pairOption,
  rejectOption,
  rejectOptionAs,
  seedOption,
  signalOption,
  MAX_SEED,
} from './api/options.js';
export { adaptModel, type AdaptOptions } from './model/adapt.js';
export type { BlackBoxModel, ModelAdapter, ModelFunction, ModelInput, ModelKind, ModelScores } from './model/types.js';
export * from './interop/tfjs-webgpu.js';
export * from './interop/first-max-pool-grad.js';
export { configureTfjs, isSoftwareAdapter, type AdapterDescription } from './interop/tfjs-setup.js';
export { LIFT_RANK1_OPERANDS_FLAG } from './interop/rank1-operand-lift.js';
export { DIRECT_CONV_FLAG } from './interop/direct-conv-kernels.js';
export { MEAN_AS_AVG_POOL_FLAG } from './interop/mean-as-avg-pool.js';
export { BROADCAST_REDUCTION_GRADIENTS_FLAG } from './interop/reduction-gradients.js';
export { DIRECT_MATMUL_FLAG } from './interop/direct-matmul-kernels.js';
export { DIRECT_MAX_POOL_FLAG } from './interop/direct-max-pool-kernels.js';
export { FUSED_RELU_GRADIENT_FLAG } from './interop/fused-relu-gradient.js';
export { DIRECT_DEPTHWISE_FLAG } from './interop/direct-depthwise-kernels.js';
export { skipUnneededFilterGradients, skippedFilterGradients } from './interop/unneeded-filter-gradients.js';
export * from './perturbation/index.js';
export * from './segment/index.js';
export * from './model/onnx/index.js';
export * from './gradient/index.js';
export * from './cam/index.js';
export * from './metrics/index.js';
export * from './features/index.js';
// For benchmarks: visualizeFeature's model + objective pass on its own (packages/bench feature-workload.ts).
export { featureObjectivePass, type FeatureObjectivePass } from './features/visualize/objective.js';
export {
  XaiError,
  WebGPUUnavailableError,
  DeviceLostError,
  DisposedError,
  GpuValidationError,
  GpuOutOfMemoryError,
  ShapeMismatchError,
  UnsupportedModelError,
  AbortedError,
  InvalidOptionError,
  InvalidInputError,
  ModelError,
  UnknownLayerError,
  xaiError,
  type XaiErrorCode,
} from '@webxai/shaders';
