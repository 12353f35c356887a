// SPDX-License-Identifier: Apache-2.0
/** Faithfulness, localisation and complexity metrics, sanity checks and the trust report. */
export { evaluate } from './evaluate.js';
export { listMetrics } from './registry.js';
export type {
  EvaluateOptions,
  MetricCommonOptions,
  MetricDefinition,
  MetricName,
  MetricOptionsFor,
  MetricRegistry,
  MetricResult,
} from './types.js';
export type { AttributionInput } from './shared/attribution.js';
export type { MetricFill } from './shared/fill.js';
export type { CurveOutput } from './shared/curve.js';
export { deletion, insertion, type RankedCurveOptions } from './deletion/index.js';
export {
  pointingGame,
  relevanceMass,
  relevanceRank,
  pointingGameScores,
  relevanceMassScores,
  relevanceRankScores,
  type LocalisationOptions,
  type PointingGameOptions,
  type GroundTruthMask,
} from './localisation/index.js';
export { sparseness, complexity, gini, entropy } from './complexity/index.js';
export { road, noisyLinearImpute, type RoadOptions, type ImputeOptions } from './road/index.js';
export { faithfulnessCorrelation, randomSubsetMasks, type FaithfulnessCorrelationOptions } from './faithfulness-correlation/index.js';
export { infidelity, type InfidelityOptions } from './infidelity/index.js';
export { maxSensitivity, type MaxSensitivityOptions } from './max-sensitivity/index.js';
export { pearson, spearman, ssim, averageRanks } from './shared/stats.js';
export * from './sanity/index.js';
export * from './stability/index.js';
export * from './trust-report/index.js';
