// SPDX-License-Identifier: Apache-2.0
/**
 * Threefry-2x32-20 (Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as easy as 1, 2, 3",
 * SC 2011), the counter-based generator JAX uses: a keyed bijection of a 64-bit counter built only
 * from 32-bit add, rotate and xor, so JS (here) and WGSL (random-fill.wgsl) agree bit for bit.
 */

const ROTATIONS = [13, 15, 26, 6, 17, 29, 16, 24] as const;
/** Threefish key-schedule parity constant. */
const KEY_PARITY = 0x1bd11bda;

function rotl(x: number, r: number): number {
  return ((x << r) | (x >>> (32 - r))) >>> 0;
}

/**
 * Encrypts the counter (c0, c1) under the key (k0, k1); all words are u32.
 *
 * @example threefry2x32(0, 0, 0, 0) // [0x6b200159, 0x99ba4efe] (Random123 known answer)
 */
export function threefry2x32(c0: number, c1: number, k0: number, k1: number): [number, number] {
  const ks = [k0 >>> 0, k1 >>> 0, (KEY_PARITY ^ k0 ^ k1) >>> 0] as const;
  let x0 = (c0 + ks[0]) >>> 0;
  let x1 = (c1 + ks[1]) >>> 0;
  for (let round = 0; round < 20; round++) {
    x0 = (x0 + x1) >>> 0;
    x1 = rotl(x1, ROTATIONS[round % 8]!) ^ x0;
    if (round % 4 === 3) {
      const s = (round + 1) / 4;
      x0 = (x0 + ks[s % 3]!) >>> 0;
      x1 = (x1 + ks[(s + 1) % 3]! + s) >>> 0;
    }
  }
  return [x0 >>> 0, x1 >>> 0];
}
