// SPDX-License-Identifier: Apache-2.0
/** Seeded generators: tests never depend on Math.random. */

/** mulberry32: a tiny, well-distributed 32-bit PRNG. Returns uniform floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `length` uniform floats in [lo, hi) from `seed`. */
export function seededF32(length: number, seed: number, lo = -1, hi = 1): Float32Array<ArrayBuffer> {
  const next = mulberry32(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = lo + (hi - lo) * next();
  return out;
}

/** `length` integers in [lo, hi) from `seed`. */
export function seededInts(length: number, seed: number, lo: number, hi: number): Int32Array<ArrayBuffer> {
  const next = mulberry32(seed);
  const out = new Int32Array(length);
  for (let i = 0; i < length; i++) out[i] = lo + Math.floor((hi - lo) * next());
  return out;
}

/** Standard normal floats (Box-Muller on mulberry32), e.g. for weight init of test models. */
export function seededNormal(length: number, seed: number, std = 1): Float32Array<ArrayBuffer> {
  const next = mulberry32(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const u = 1 - next();
    out[i] = std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
  }
  return out;
}
