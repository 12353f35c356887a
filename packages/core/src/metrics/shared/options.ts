// SPDX-License-Identifier: Apache-2.0
import { checkOptionNames } from '../../api/option-names.js';

/** Option keys every metric accepts. */
export const COMMON_METRIC_KEYS = ['metric', 'target', 'signal', 'batchSize', 'preprocess'] as const;

/**
 * Rejects option keys the metric does not know (a misspelt `step` would otherwise be ignored
 * silently), naming the key and the keys it accepts.
 */
export function checkOptionKeys(metric: string, options: object, keys: readonly string[]): void {
  checkKnownKeys(metric, options, [...COMMON_METRIC_KEYS, ...keys]);
}

/** Rejects any key of `options` not in `keys` with core's one check (it suggests the nearest name). */
export function checkKnownKeys(what: string, options: object, keys: readonly string[]): void {
  checkOptionNames(what, options, Object.fromEntries(keys.map((key) => [key, true])));
}
