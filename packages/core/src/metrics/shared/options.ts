// SPDX-License-Identifier: Apache-2.0
import { InvalidOptionError } from '@webxai/shaders';

/** Option keys every metric accepts. */
export const COMMON_METRIC_KEYS = ['metric', 'target', 'signal', 'batchSize', 'preprocess'] as const;

/**
 * Rejects option keys the metric does not know (a misspelt `step` would otherwise be ignored
 * silently), naming the key and the keys it accepts.
 */
export function checkOptionKeys(metric: string, options: object, keys: readonly string[]): void {
  checkKnownKeys(metric, options, [...COMMON_METRIC_KEYS, ...keys]);
}

/** Rejects any key of `options` not in `keys`, naming it and the accepted ones. */
export function checkKnownKeys(what: string, options: object, keys: readonly string[]): void {
  const known = new Set<string>(keys);
  for (const key of Object.keys(options)) {
    if (!known.has(key)) throw new InvalidOptionError(`${what}: unknown option '${key}'; ${what} accepts ${[...known].join(', ')}`);
  }
}
