// SPDX-License-Identifier: Apache-2.0
import { signedMagnitudeRef, type SignMode } from './sign.ref.js';

/** What attribution-stats.wgsl finds out about a map (decoded). */
export interface AttributionStats {
  /** Smallest finite value (NaN when there is none). */
  readonly min: number;
  /** Largest finite value (NaN when there is none). */
  readonly max: number;
  /** Largest signed magnitude of a finite value (0 when none is positive). */
  readonly magnitude: number;
  /** Number of NaN and +-Inf values. */
  readonly nonFinite: number;
  /** Index of the first non-finite value, -1 when there is none. */
  readonly firstNonFinite: number;
}

/** Number of u32 words attribution-stats.wgsl writes. */
export const ATTRIBUTION_STATS_WORDS = 5;

const NONE = 0xffff_ffff;

/** The words the caller writes before a dispatch (the identities of min, max, max, sum, min). */
export const ATTRIBUTION_STATS_INIT: readonly number[] = [NONE, 0, 0, 0, NONE];

/** Inverse of the shader's orderedKey: the f32 a key stands for. */
function fromOrderedKey(key: number): number {
  const bits = key & 0x8000_0000 ? key & 0x7fff_ffff : ~key >>> 0;
  return new Float32Array(new Uint32Array([bits]).buffer)[0]!;
}

/** Decodes the kernel's 5 words (from a readback) into {@link AttributionStats}. */
export function decodeAttributionStats(words: ArrayLike<number>): AttributionStats {
  const high = words[1]!;
  const first = words[4]!;
  return {
    min: high === 0 ? NaN : fromOrderedKey(words[0]!),
    max: high === 0 ? NaN : fromOrderedKey(high),
    magnitude: new Float32Array(new Uint32Array([words[2]!]).buffer)[0]!,
    nonFinite: words[3]!,
    firstNonFinite: first === NONE ? -1 : first,
  };
}

/** CPU reference for attribution-stats.wgsl, written plainly (f64; the inputs are f32 values). */
export function attributionStatsRef(values: ArrayLike<number>, sign: SignMode): AttributionStats {
  let min = Infinity;
  let max = -Infinity;
  let magnitude = 0;
  let nonFinite = 0;
  let firstNonFinite = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      nonFinite++;
      if (firstNonFinite < 0) firstNonFinite = i;
      continue;
    }
    // Object.is keeps -0 below +0, as the shader's bit-pattern order does.
    if (v < min || (v === min && Object.is(v, -0))) min = v;
    if (v > max || (v === max && Object.is(max, -0))) max = v;
    magnitude = Math.max(magnitude, signedMagnitudeRef(v, sign));
  }
  const any = nonFinite < values.length;
  return { min: any ? min : NaN, max: any ? max : NaN, magnitude, nonFinite, firstNonFinite };
}
