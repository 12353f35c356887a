// SPDX-License-Identifier: Apache-2.0
/** Gradient explainers: saliency, gradient x input, integrated gradients and their family. */
export { targetGradients, targetScores } from './target-gradients.js';
export { saliency, gradientXInput, type SaliencyOptions, type GradientXInputOptions, type GradientResult } from './saliency/saliency.js';
export {
  integratedGradients,
  integratedGradientsOf,
  type IntegratedGradientsOptions,
  type IntegratedGradientsResult,
} from './integrated-gradients/integrated-gradients.js';
export { integrationRule, gaussLegendre, INTEGRATION_RULES, type IntegrationRule, type Quadrature } from './integrated-gradients/rules.js';
export type { BaselineOption } from './integrated-gradients/baselines.js';
export { smoothGrad, type SmoothGradOptions, type SmoothGradResult, type SmoothGradInnerMethod } from './smoothgrad/smoothgrad.js';
export {
  expectedGradients,
  expectedGradientsPlan,
  type ExpectedGradientsOptions,
  type ExpectedGradientsResult,
} from './expected-gradients/expected-gradients.js';
export { blurIg, blurSigmas, type BlurIgOptions, type BlurIgResult } from './blur-ig/blur-ig.js';
export {
  guidedIg,
  GUIDED_IG_KEY_BITS,
  GUIDED_IG_L1_TOLERANCE,
  GUIDED_IG_MAX_ITERATIONS,
  type GuidedIgOptions,
  type GuidedIgResult,
} from './guided-ig/guided-ig.js';
export { chooseBatchSize, ACTIVATION_FACTOR, DEFAULT_MEMORY_BUDGET_MB, type BatchingOptions } from './shared/batching.js';
