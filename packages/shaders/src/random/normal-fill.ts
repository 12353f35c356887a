// SPDX-License-Identifier: Apache-2.0
/**
 * The fast CPU normal fill: normalRef's numbers, bit for bit, for host code that draws many of them
 * (a perturbation of every input value, per sample). normalRef reads as the kernel does but
 * allocates per value (threefry2x32's key array and result tuple, normalSegment's object) and costs
 * ~35-50 ms per 150k values; this is the same arithmetic as one allocation-free loop. threefry.ref.ts
 * and random-fill.ref.ts stay the readable references; normal-fill.test.ts compares the two.
 */
import { ShapeMismatchError } from '../runtime/errors.js';
import { checkStreamRange, NORMAL_STREAM } from './random-fill.ref.js';
import { NORMAL_DEGREE, NORMAL_FRACTION_BITS, NORMAL_SEGMENTS } from './normal-sampler.js';
import { NORMAL_TABLE } from './normal-table.js';

/** Threefish key-schedule parity constant (as in threefry.ref.ts). */
const KEY_PARITY = 0x1bd11bda;
/** The table as typed i32s: the Horner loop reads it once per coefficient. */
const TABLE = Int32Array.from(NORMAL_TABLE);
const STRIDE = NORMAL_DEGREE + 1;
const Q28 = 2 ** -NORMAL_FRACTION_BITS;
const HALF = 2 ** -16;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/**
 * Threefry-2x32-20's first output word for the counter (c0, NORMAL_STREAM): threefry2x32 with its
 * rounds unrolled and its words kept as i32 (`| 0` wraps mod 2^32 as `>>> 0` does; only the bits
 * matter to the sampler).
 */
function threefryNormalWord(c0: number, k0: number, k1: number, k2: number): number {
  let x0 = (c0 + k0) | 0;
  let x1 = (NORMAL_STREAM + k1) | 0;
  // Rounds 0-3, then key injection s = 1.
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 13) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 15) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 26) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 6) ^ x0;
  x0 = (x0 + k1) | 0;
  x1 = (x1 + k2 + 1) | 0;
  // Rounds 4-7, s = 2.
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 17) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 29) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 16) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 24) ^ x0;
  x0 = (x0 + k2) | 0;
  x1 = (x1 + k0 + 2) | 0;
  // Rounds 8-11, s = 3.
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 13) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 15) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 26) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 6) ^ x0;
  x0 = (x0 + k0) | 0;
  x1 = (x1 + k1 + 3) | 0;
  // Rounds 12-15, s = 4.
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 17) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 29) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 16) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 24) ^ x0;
  x0 = (x0 + k1) | 0;
  x1 = (x1 + k2 + 4) | 0;
  // Rounds 16-19, s = 5: only x0 is returned, so x1's last injection is skipped.
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 13) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 15) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = rotl(x1, 26) ^ x0;
  x0 = (x0 + x1) | 0;
  return (x0 + k2) | 0;
}

/**
 * q28ToF32 (normal-sampler.ts) without its power of a variable exponent, which V8 computes with a
 * Math.pow call (~70 ns a value measured, against ~3 ns here): m * 2^(shift - 28) = m * 2^shift *
 * 2^-28, every product exact in f64.
 */
function q28ToF32Fast(g: number): number {
  const bits = 32 - Math.clz32(g);
  if (bits <= 24) return Math.fround(g * Q28);
  const shift = bits - 24;
  const m = (g + (1 << (shift - 1))) >>> shift;
  return Math.fround(m * (1 << shift) * Q28);
}

/**
 * normalFromWord (normal-sampler.ts) with normalSegment inlined (no object per value) and the Horner
 * step's mulhiI32(acc, x) as trunc(acc * x / 2^32) in f64: with x = x1 * 2^16 + x0 (16-bit halves),
 * that is trunc((acc * x1 + trunc(acc * x0 / 2^16)) / 2^16), where |acc| <= 2^31 keeps every
 * product and sum below 2^48, so exact; no branch on the sign and x split once, not per step. The
 * kernel's i32 wrap (`| 0` after each step) is left out: |mulhi(acc, x)| <= |acc|, so every partial
 * sum is at most a segment's sum of |coefficients| (plus one per step for the truncations), which
 * stays below 2^31 ({@link hornerBound}, checked by the tests), so it never wraps.
 */
function normalOfWord(word: number): number {
  const odd = ((word << 1) | 1) >>> 0; // bit 31 (the sign) shifts out: q = word & 0x7fffffff
  const octave = Math.clz32(odd);
  const mantissa = ((odd << octave) << 1) >>> 0;
  const x = (mantissa << 2) >>> 0;
  const x1 = x >>> 16;
  const x0 = x & 0xffff;
  const base = (octave * NORMAL_SEGMENTS + (mantissa >>> 30)) * STRIDE;
  let acc = TABLE[base + NORMAL_DEGREE]!;
  for (let k = NORMAL_DEGREE - 1; k >= 0; k--) {
    acc = Math.trunc((acc * x1 + Math.trunc(acc * x0 * HALF)) * HALF) + TABLE[base + k]!;
  }
  const magnitude = q28ToF32Fast(acc > 0 ? acc : 0);
  return word < 0 ? -magnitude : magnitude;
}

/** The largest |partial sum| normalOfWord's Horner loop can reach: max over segments of sum |c_k| + NORMAL_DEGREE. */
export function hornerBound(table: ArrayLike<number> = TABLE): number {
  let bound = 0;
  for (let base = 0; base < table.length; base += STRIDE) {
    let sum = NORMAL_DEGREE;
    for (let k = 0; k < STRIDE; k++) sum += Math.abs(table[base + k]!);
    bound = Math.max(bound, sum);
  }
  return bound;
}

/**
 * N(mean, std^2) values offset .. offset + count - 1 of the normal stream `seed`, written to
 * out[0 .. count) (a new array when `out` is omitted): bit-identical to
 * `normalRef(seed, offset, count, mean, std)`, and to the GPU's randomNormal for mean 0, std 1.
 * Throws InvalidOptionError for a bad seed or range (as normalRef), ShapeMismatchError when `out`
 * is shorter than `count`.
 *
 * @example normalFill(42, 0, 3) // Float32Array [-0.24990150, -0.83619028, -0.19676152], as normalRef(42, 0, 3)
 */
export function normalFill(seed: number, offset: number, count: number, mean?: number, std?: number): Float32Array<ArrayBuffer>;
export function normalFill<T extends Float32Array>(seed: number, offset: number, count: number, mean: number, std: number, out: T): T;
export function normalFill(seed: number, offset: number, count: number, mean = 0, std = 1, out?: Float32Array): Float32Array {
  const [k0, k1] = checkStreamRange(seed, offset, count);
  if (out && out.length < count) throw new ShapeMismatchError(`random: out holds ${out.length} values, ${count} to write`);
  const target = out ?? new Float32Array(count);
  const k2 = KEY_PARITY ^ k0 ^ k1;
  // affineF32 (random-fill.ref.ts) with the f32 roundings of mean and std hoisted.
  const a = Math.fround(mean);
  const b = Math.fround(std);
  // Two values per iteration: each is one long dependency chain (Threefry's rounds, then Horner's),
  // and two side by side let the CPU overlap them (677k values 41 -> 28 ms in Node 20, bit-identical).
  let j = 0;
  for (; j + 1 < count; j += 2) {
    const first = threefryNormalWord(offset + j, k0 | 0, k1 | 0, k2);
    const second = threefryNormalWord(offset + j + 1, k0 | 0, k1 | 0, k2);
    const z0 = normalOfWord(first);
    const z1 = normalOfWord(second);
    target[j] = Math.fround(b * z0) + a; // the store rounds the sum to f32, as affineF32's last fround
    target[j + 1] = Math.fround(b * z1) + a;
  }
  if (j < count) target[j] = Math.fround(b * normalOfWord(threefryNormalWord(offset + j, k0 | 0, k1 | 0, k2))) + a;
  return target;
}
