// SPDX-License-Identifier: Apache-2.0
// The median, shared by the Node suites (suites/shared.ts) and the browser page (browser/measure.ts):
// this file imports nothing, so both environments can load it.

/** The median of `values` (the mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A confidence interval for a median, from two order statistics of the sample. */
export interface MedianInterval {
  readonly low: number;
  readonly high: number;
  /** The probability that the interval holds the true median (at least the confidence asked for). */
  readonly coverage: number;
}

/** Whether `value` lies within `interval` (its ends included). */
export function intervalHolds(interval: Pick<MedianInterval, 'low' | 'high'>, value: number): boolean {
  return interval.low <= value && value <= interval.high;
}

/**
 * A distribution-free interval for the median of the population `values` were drawn from: the j-th
 * smallest and the j-th largest value, with j the largest rank whose coverage 1 - 2 P(B <= j - 1),
 * B ~ Binomial(n, 1/2), is at least `confidence` (each value falls below the median with probability
 * 1/2, whatever the distribution; Conover, "Practical Nonparametric Statistics", sec. 3.2). At 95%, 21
 * values give the 6th and 16th (97.3%). Undefined when even the smallest and largest cover less (fewer
 * than 6 values at 95%): a row of so few runs states its median alone.
 */
export function medianInterval(values: readonly number[], confidence = 0.95): MedianInterval | undefined {
  const n = values.length;
  if (n === 0) return undefined;
  // cdf = P(B <= rank - 1), grown term by term as the rank grows: the terms C(n, i) / 2^n, each from
  // the last in log space (any n), summed in order.
  let logTerm = -n * Math.LN2;
  let cdf = Math.exp(logTerm);
  if (1 - 2 * cdf < confidence) return undefined;
  let rank = 1;
  while (rank + 1 <= (n + 1) / 2) {
    logTerm += Math.log((n - rank + 1) / rank);
    const next = cdf + Math.exp(logTerm);
    if (1 - 2 * next < confidence) break;
    cdf = next;
    rank++;
  }
  const sorted = [...values].sort((a, b) => a - b);
  return { low: sorted[rank - 1]!, high: sorted[n - rank]!, coverage: 1 - 2 * cdf };
}
