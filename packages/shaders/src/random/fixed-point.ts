// SPDX-License-Identifier: Apache-2.0
/**
 * The integer arithmetic random-fill.wgsl does, in JS, operation for operation: u32/i32 words,
 * products split into 16-bit halves so that no intermediate exceeds 2^32 (WGSL has no 64-bit
 * integers). Integer operations are exact on every GPU, which is what makes the normal sampler
 * bit-for-bit reproducible.
 */

/**
 * High 32 bits of the 64-bit product of two u32: Hacker's Delight's mulhu, 4 shifts (the WGSL's
 * form; shifts are what SwiftShader pays for). Every 16x16 product and both sums t, u stay below
 * 2^32: exact in f64 and in u32.
 */
export function mulhiU32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const t = a1 * b0 + ((a0 * b0) >>> 16);
  const u = a0 * b1 + (t & 0xffff);
  return (a1 * b1 + (t >>> 16) + (u >>> 16)) >>> 0;
}

/** (a * b) / 2^32 rounded toward zero, for i32 `a` and u32 `b` (a Q32 fraction in [0, 1)). */
export function mulhiI32(a: number, b: number): number {
  return a >= 0 ? mulhiU32(a, b) | 0 : -mulhiU32(-a, b) | 0;
}
