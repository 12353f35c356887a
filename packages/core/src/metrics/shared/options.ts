// SPDX-License-Identifier: Apache-2.0
import { InvalidOptionError } from '@webxai/shaders';

/** Option keys every metric accepts. */
export const COMMON_METRIC_KEYS = ['metric', 'target', 'signal', 'batchSize', 'preprocess'] as const;

/**
 * Rejects option keys the metric does not know (a misspelt `step` would otherwise be ignored
 * silently), naming the key and the keys it accepts.
 */
export function checkOptionKeys(metric: string, options: object, keys: readonly string[]): void {
  const known = new Set<string>([...COMMON_METRIC_KEYS, ...keys]);
  for (const key of Object.keys(options)) {
    if (!known.has(key)) {
      throw new InvalidOptionError(`${metric}: unknown option '${key}'; ${metric} accepts ${[...known].join(', ')}`);
    }
  }
}
