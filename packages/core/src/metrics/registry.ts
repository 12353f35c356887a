// SPDX-License-Identifier: Apache-2.0
// The table behind `evaluate(model, input, attribution, { metric })`: one import and one entry per
// metric; each metric adds its options to MetricRegistry from its own folder.
import type { MetricDefinition, MetricName } from './types.js';
import { deletion, insertion } from './deletion/index.js';

export const METRICS: { readonly [M in MetricName]?: MetricDefinition<M> } = {
  deletion,
  insertion,
};

/** Names of every metric `evaluate` knows. */
export function listMetrics(): MetricName[] {
  return Object.keys(METRICS) as MetricName[];
}
