// SPDX-License-Identifier: Apache-2.0
import type { MetricDefinition } from '../types.js';

declare module '../types.js' {
  interface MetricRegistry {
    sparseness: Record<never, never>;
    complexity: Record<never, never>;
  }
}

/**
 * Gini index of |map| (Chalasani et al. 2020; Quantus `Sparseness`): with a_1 <= .. <= a_n the sorted
 * absolute pixel scores, G = sum_i (2i - n - 1) a_i / (n sum_i a_i), in [0, 1 - 1/n]; 0 for a flat map
 * (and for an all-zero map).
 */
export function gini(map: ArrayLike<number>): number {
  const a = Float64Array.from(map, Math.abs).sort();
  const n = a.length;
  let weighted = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    weighted += (2 * (i + 1) - n - 1) * a[i]!;
    sum += a[i]!;
  }
  return sum > 0 ? weighted / (n * sum) : 0;
}

/**
 * Entropy of the fractional contributions (Bhatt et al. 2020; Quantus `Complexity`): p_i = |a_i| /
 * sum |a|, H = -sum p_i ln p_i (nats), in [0, ln n]; 0 for an all-zero map.
 */
export function entropy(map: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < map.length; i++) sum += Math.abs(map[i]!);
  if (sum === 0) return 0;
  let h = 0;
  for (let i = 0; i < map.length; i++) {
    const p = Math.abs(map[i]!) / sum;
    if (p > 0) h -= p * Math.log(p);
  }
  return h;
}

/**
 * `'sparseness'`: the Gini index of each image's pixel map (attribution summed over channels, then
 * absolute values). Higher = fewer pixels carry the explanation. Uses only the map.
 *
 * @example
 * (await evaluate(model, image, r, { metric: 'sparseness' })).scores; // [0.71]
 */
export const sparseness: MetricDefinition<'sparseness'> = {
  name: 'sparseness',
  optionNames: {},
  check() {},
  run: (inputs) => Promise.resolve({ scores: inputs.maps.map(gini) }),
};

/** `'complexity'`: the entropy of each image's pixel map (see {@link entropy}). Lower = simpler. */
export const complexity: MetricDefinition<'complexity'> = {
  name: 'complexity',
  optionNames: {},
  check() {},
  run: (inputs) => Promise.resolve({ scores: inputs.maps.map(entropy) }),
};
