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
