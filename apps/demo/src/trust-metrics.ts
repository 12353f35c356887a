// SPDX-License-Identifier: Apache-2.0
// The metrics of the trust table, what each means, which way is better, and their options sized to
// the model's input (core's defaults are sized for 224 x 224 photos).
import type * as tf from '@tensorflow/tfjs';
import type { Geometry } from './methods.js';

/** A metric as the table shows it. */
export interface TrustMetric {
  /** core's metric name. */
  readonly name: string;
  readonly label: string;
  readonly better: 'higher' | 'lower';
  /** One sentence for the column's tooltip and the legend. */
  readonly meaning: string;
  /** Localisation metrics need a ground-truth mask of the object. */
  readonly needsMask?: boolean;
}

/** Every metric the page runs: those that need no mask, then (for pictures with one) the localisation ones. */
export const TRUST_METRICS: readonly TrustMetric[] = [
  {
    name: 'deletion',
    label: 'Deletion AUC',
    better: 'lower',
    meaning: 'the class probability as the most relevant pixels are deleted first: a faithful map makes it fall fast',
  },
  {
    name: 'insertion',
    label: 'Insertion AUC',
    better: 'higher',
    meaning: 'the class probability as the most relevant pixels are put back first onto a black image: a faithful map makes it rise fast',
  },
  {
    name: 'faithfulness-correlation',
    label: 'Faithfulness corr.',
    better: 'higher',
    meaning: 'correlation between the relevance of random pixel subsets and the score drop when they are hidden',
  },
  { name: 'sparseness', label: 'Sparseness', better: 'higher', meaning: 'Gini index of |map|: how few pixels carry the explanation' },
  {
    name: 'complexity',
    label: 'Complexity',
    better: 'lower',
    meaning: 'entropy of the share of relevance per pixel (nats): a spread-out map is complex',
  },
  {
    name: 'pointing-game',
    label: 'Pointing game',
    better: 'higher',
    meaning: '1 when the most relevant pixel lies on the object (ground-truth mask), else 0',
    needsMask: true,
  },
  {
    name: 'relevance-mass',
    label: 'Relevance mass',
    better: 'higher',
    meaning: 'share of the positive relevance that falls on the object (ground-truth mask)',
    needsMask: true,
  },
];

/**
 * core's evaluate options for `metric` on an input of `geometry`: curves of 50 steps; faithfulness
 * correlation on 50 random subsets of ~3% of the pixels (Quantus' 224 pixels are 0.4% of a
 * 224 x 224 photo but 29% of a digit); the mask for the localisation metrics.
 */
export function metricOptions(metric: string, { height, width }: Geometry, mask: tf.Tensor | undefined): Record<string, unknown> {
  switch (metric) {
    case 'deletion':
    case 'insertion':
      return { metric, steps: 50 };
    case 'faithfulness-correlation':
      return { metric, runs: 50, subsetSize: Math.max(8, Math.round((height * width) / 32)), seed: 1 };
    case 'pointing-game':
    case 'relevance-mass':
      return { metric, mask };
    default:
      return { metric };
  }
}
