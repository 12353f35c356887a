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

/** P(B <= k) for B ~ Binomial(n, 1/2), summed from the terms C(n, i) / 2^n in log space (any n). */
function halfBinomialCdf(n: number, k: number): number {
  let logTerm = -n * Math.LN2;
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    sum += Math.exp(logTerm);
    logTerm += Math.log((n - i) / (i + 1));
  }
  return sum;
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
  const coverage = (rank: number) => 1 - 2 * halfBinomialCdf(n, rank - 1);
  if (n === 0 || coverage(1) < confidence) return undefined;
  let rank = 1;
  while (rank + 1 <= (n + 1) / 2 && coverage(rank + 1) >= confidence) rank++;
  const sorted = [...values].sort((a, b) => a - b);
  return { low: sorted[rank - 1]!, high: sorted[n - rank]!, coverage: coverage(rank) };
}
