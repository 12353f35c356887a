// SPDX-License-Identifier: Apache-2.0
import { mulhiI32 } from './fixed-point.js';
import { NORMAL_TABLE } from './normal-table.js';

/**
 * The standard normal sampler shared by random-fill.wgsl and the CPU reference (see the .wgsl
 * header): the inverse normal CDF evaluated in fixed point from piecewise polynomials.
 *
 * p = (2q + 1) / 2^33 for the low 31 bits q of a random word, so p lies in (0, 1/2) on a grid of
 * 2^-32. Octave e = clz(2q + 1) holds p in [2^(-2-e), 2^(-1-e)), split into NORMAL_SEGMENTS
 * equal segments of the mantissa; on each, g(p) = -Phi^{-1}(p) is a degree-NORMAL_DEGREE
 * polynomial in the local position x in [0, 1), with coefficients in Q28 fixed point.
 */
export const NORMAL_OCTAVES = 32;
export const NORMAL_SEGMENTS = 4;
export const NORMAL_DEGREE = 6;
/** Fixed-point fraction bits of the table and of g: value = integer / 2^28. */
export const NORMAL_FRACTION_BITS = 28;
export const NORMAL_TABLE_LENGTH = NORMAL_OCTAVES * NORMAL_SEGMENTS * (NORMAL_DEGREE + 1);

/** Octave, segment and local Q32 position of the probability p = (2q + 1) / 2^33. */
export function normalSegment(q: number): { octave: number; segment: number; x: number } {
  const odd = ((q << 1) | 1) >>> 0;
  const octave = Math.clz32(odd);
  const mantissa = ((odd << octave) << 1) >>> 0; // bits after the leading one: (1 + t), t in [0, 1)
  return { octave, segment: mantissa >>> 30, x: (mantissa << 2) >>> 0 };
}

/** g(p) = -Phi^{-1}(p) >= 0 in Q28 for p = (2q + 1) / 2^33, q < 2^31, by Horner in fixed point. */
export function normalUpperQuantileQ28(q: number, table: readonly number[] = NORMAL_TABLE): number {
  const { octave, segment, x } = normalSegment(q);
  const base = (octave * NORMAL_SEGMENTS + segment) * (NORMAL_DEGREE + 1);
  let acc = table[base + NORMAL_DEGREE]!;
  for (let k = NORMAL_DEGREE - 1; k >= 0; k--) acc = (mulhiI32(acc, x) + table[base + k]!) | 0;
  return Math.max(acc, 0);
}

/** Rounds a non-negative Q28 integer to the nearest f32 (ties away from zero), exactly as the WGSL. */
export function q28ToF32(g: number): number {
  if (g === 0) return 0;
  const bits = 32 - Math.clz32(g);
  if (bits <= 24) return Math.fround(g * 2 ** -NORMAL_FRACTION_BITS);
  const shift = bits - 24;
  const m = (g + (1 << (shift - 1))) >>> shift; // <= 2^24: exact in f32
  return Math.fround(m * 2 ** (shift - NORMAL_FRACTION_BITS));
}

/** The standard normal value for one random u32 word: bit 31 is the sign, bits 0..30 pick p. */
export function normalFromWord(word: number): number {
  const magnitude = q28ToF32(normalUpperQuantileQ28(word & 0x7fffffff));
  return word >>> 31 ? -magnitude : magnitude;
}
