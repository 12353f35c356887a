// SPDX-License-Identifier: Apache-2.0
import { InvalidOptionError } from '../runtime/errors.js';
import { normalFromWord } from './normal-sampler.js';
import { threefry2x32 } from './threefry.ref.js';

/** Counter stream of each kind: uniforms (and Bernoulli masks) and normals are independent. */
export const UNIFORM_STREAM = 0;
export const NORMAL_STREAM = 1;

/** Largest index + 1 a stream has: counters are u32. */
export const RANDOM_STREAM_LENGTH = 2 ** 32;

/** The Threefry key words of a seed: an integer in [0, 2^53). */
export function seedWords(seed: number): [number, number] {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new InvalidOptionError(`random: seed must be an integer in [0, 2^53), got ${seed}`);
  }
  return [seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0];
}

/** Checks offset/count (integers, offset + count <= 2^32) and returns the seed's key words. */
export function checkStreamRange(seed: number, offset: number, count: number): [number, number] {
  if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(count) || count < 0 || offset + count > RANDOM_STREAM_LENGTH) {
    throw new InvalidOptionError(
      `random: offset and count must be integers >= 0 with offset + count <= 2^32, got offset ${offset}, count ${count}`,
    );
  }
  return seedWords(seed);
}

function fill(seed: number, offset: number, count: number, stream: number, map: (word: number) => number) {
  const [k0, k1] = checkStreamRange(seed, offset, count);
  const out = new Float32Array(count);
  for (let j = 0; j < count; j++) out[j] = map(threefry2x32(offset + j, stream, k0, k1)[0]);
  return out;
}

/** The uniform in [0, 1) a stream word maps to: its top 24 bits times 2^-24 (exact in f32). */
export function uniformFromWord(word: number): number {
  return (word >>> 8) * 2 ** -24;
}

/** b * v + a as the kernel computes it without fusing (exact when a = 0 and b = 1). */
function affineF32(v: number, a: number, b: number): number {
  return Math.fround(Math.fround(Math.fround(b) * v) + Math.fround(a));
}

/**
 * CPU reference of random-fill.wgsl, KIND_UNIFORM: values offset .. offset + count - 1 of the
 * uniform stream `seed`, in [low, high). Bit-exact against the GPU for low = 0, high = 1.
 *
 * @example uniformRef(42, 0, 3) // Float32Array [0.86904836, 0.15063238, 0.52032065], as randomUniform(device, {seed: 42, count: 3})
 */
export function uniformRef(seed: number, offset: number, count: number, low = 0, high = 1): Float32Array<ArrayBuffer> {
  return fill(seed, offset, count, UNIFORM_STREAM, (w) => affineF32(uniformFromWord(w), low, Math.fround(high - low)));
}

/**
 * CPU reference of random-fill.wgsl, KIND_NORMAL: N(mean, std^2) values offset .. offset + count - 1
 * of the normal stream `seed`. Bit-exact against the GPU for mean = 0, std = 1.
 *
 * @example normalRef(42, 0, 3) // Float32Array [-0.24990150, -0.83619028, -0.19676152]
 */
export function normalRef(seed: number, offset: number, count: number, mean = 0, std = 1): Float32Array<ArrayBuffer> {
  return fill(seed, offset, count, NORMAL_STREAM, (w) => affineF32(normalFromWord(w), mean, std));
}

/**
 * CPU reference of random-fill.wgsl, KIND_BERNOULLI: 1 where the uniform stream's value is < p
 * (p rounded to f32), else 0. Bit-exact. P(1) = ceil(p * 2^24) / 2^24.
 *
 * @example bernoulliRef(42, 0, 6, 0.5) // Float32Array [0, 1, 0, 1, 0, 1]
 */
export function bernoulliRef(seed: number, offset: number, count: number, p: number): Float32Array<ArrayBuffer> {
  const threshold = Math.fround(p);
  return fill(seed, offset, count, UNIFORM_STREAM, (w) => (uniformFromWord(w) < threshold ? 1 : 0));
}
