// SPDX-License-Identifier: Apache-2.0
// CPU reference of guided-ig-keys.wgsl (the quantised |gradient| keys and the rank-th smallest key
// of a row), used by guidedIgStepRef.

/** Bits of Guided IG's |gradient| grid: keys are integers in [0, 2^GUIDED_IG_KEY_BITS] (at most 14: guided-ig-keys.wgsl's bins). */
export const GUIDED_IG_KEY_BITS = 14;

const MAX_KEY = 2 ** GUIDED_IG_KEY_BITS;

/** Round half to even (WGSL round, tfjs Round). */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * guided-ig-keys.wgsl's keys of the row gradient[base .. base + keys.length) into `keys`:
 * round(|g| / cell) (cell = the row's largest not-done |g|, or 1, times 2^-KEY_BITS; the division
 * rounded to f32), +Inf where `done(i)` (i counted from `base`) or the key is NaN or past 2^KEY_BITS.
 */
export function guidedIgKeysRef(gradient: ArrayLike<number>, base: number, done: (i: number) => boolean, keys: Float64Array): void {
  let scale = 0;
  for (let i = 0; i < keys.length; i++) if (!done(i)) scale = Math.max(scale, Math.abs(gradient[base + i]!));
  const cell = Math.fround((scale > 0 ? scale : 1) * 2 ** -GUIDED_IG_KEY_BITS);
  for (let i = 0; i < keys.length; i++) {
    const key = roundHalfEven(Math.fround(Math.abs(gradient[base + i]!) / cell));
    keys[i] = done(i) || !(key <= MAX_KEY) ? Number.POSITIVE_INFINITY : key;
  }
}

/**
 * guided-ig-keys.wgsl's rankedKeyOfHighCounts: the rank-th smallest of `keys` (1 = the smallest) found by
 * counting, capped at 2^KEY_BITS (all finite keys when fewer than rank are finite; +Inf never).
 */
export function guidedIgRankedKeyRef(keys: Float64Array, rank: number): number {
  const counts = new Uint32Array(MAX_KEY + 1);
  for (const key of keys) if (key <= MAX_KEY) counts[key]!++;
  for (let key = 0, seen = 0; key <= MAX_KEY; key++) {
    seen += counts[key]!;
    if (seen >= rank) return key;
  }
  return MAX_KEY;
}
