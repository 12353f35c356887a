// SPDX-License-Identifier: Apache-2.0
// The table behind `evaluate(model, input, attribution, { metric })`: one import and one entry per
// metric; each metric adds its options to MetricRegistry from its own folder.
import type { MetricDefinition, MetricName } from './types.js';
import { deletion, insertion } from './deletion/index.js';
import { pointingGame, relevanceMass, relevanceRank } from './localisation/index.js';
import { complexity, sparseness } from './complexity/index.js';
import { faithfulnessCorrelation } from './faithfulness-correlation/index.js';
import { infidelity } from './infidelity/index.js';
import { maxSensitivity } from './max-sensitivity/index.js';
import { road } from './road/index.js';

export const METRICS: { readonly [M in MetricName]?: MetricDefinition<M> } = {
  deletion,
  insertion,
  road,
  'faithfulness-correlation': faithfulnessCorrelation,
  infidelity,
  'max-sensitivity': maxSensitivity,
  'pointing-game': pointingGame,
  'relevance-mass': relevanceMass,
  'relevance-rank': relevanceRank,
  sparseness,
  complexity,
};

/** Names of every metric `evaluate` knows. */
export function listMetrics(): MetricName[] {
  return Object.keys(METRICS) as MetricName[];
}
