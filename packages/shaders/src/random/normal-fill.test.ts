// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { InvalidOptionError, ShapeMismatchError } from '../runtime/errors.js';
import { hornerBound, normalFill } from './normal-fill.js';
import { normalRef, RANDOM_STREAM_LENGTH } from './random-fill.ref.js';

/** Index of the first value whose f32 bits differ (-0 vs 0 and NaN payloads included), or -1. */
function firstBitDifference(a: Float32Array, b: Float32Array): number {
  const [x, y] = [new Uint32Array(a.buffer, a.byteOffset, a.length), new Uint32Array(b.buffer, b.byteOffset, b.length)];
  if (x.length !== y.length) return Math.min(x.length, y.length);
  return x.findIndex((v, i) => v !== y[i]);
}

const N = 100_000;

describe('normalFill', () => {
  // Seeds with a zero, small and full high key word; offsets at 0, across 2^31 (where the counter's
  // i32 arithmetic changes sign) and ending exactly at 2^32; mean / std that are not f32 values.
  it.each([
    { seed: 0, offset: 0, mean: 0, std: 1 },
    { seed: 42, offset: 2 ** 31 - N / 2, mean: 0.1, std: 0.003 },
    { seed: 2 ** 32 + 7, offset: RANDOM_STREAM_LENGTH - N, mean: -3, std: 2.5 },
    { seed: 2 ** 53 - 1, offset: 0xfff00000, mean: 1e-3, std: 1e3 },
  ])('is bit-identical to normalRef over 1e5 values: seed $seed, offset $offset, N($mean, $std^2)', ({ seed, offset, mean, std }) => {
    expect(firstBitDifference(normalFill(seed, offset, N, mean, std), normalRef(seed, offset, N, mean, std))).toBe(-1);
  });

  it('defaults to N(0, 1) and reproduces the documented seed-42 values', () => {
    expect(Array.from(normalFill(42, 0, 3))).toEqual([-0.24990150332450867, -0.8361902832984924, -0.19676151871681213]);
  });

  it('writes only out[0, count) of a longer out and returns it', () => {
    const out = new Float32Array(12).fill(7);
    expect(normalFill(5, 100, 10, 0, 2, out)).toBe(out);
    expect(firstBitDifference(out.subarray(0, 10), normalRef(5, 100, 10, 0, 2))).toBe(-1);
    expect(Array.from(out.subarray(10))).toEqual([7, 7]);
  });

  it('rejects the seeds and ranges normalRef rejects, and an out that is too short', () => {
    for (const [seed, offset, count] of [
      [-1, 0, 1],
      [1.5, 0, 1],
      [2 ** 53, 0, 1],
      [0, -1, 1],
      [0, 0.5, 1],
      [0, 0, -1],
      [0, RANDOM_STREAM_LENGTH - 1, 2],
    ] as const) {
      expect(() => normalRef(seed, offset, count)).toThrow(InvalidOptionError);
      expect(() => normalFill(seed, offset, count)).toThrow(InvalidOptionError);
    }
    expect(normalFill(0, RANDOM_STREAM_LENGTH - 1, 1)).toHaveLength(1);
    expect(() => normalFill(0, 0, 4, 0, 1, new Float32Array(3))).toThrow(ShapeMismatchError);
  });

  it("never needs the kernel's i32 wrap: every Horner partial sum stays below 2^31 (the premise of dropping `| 0`)", () => {
    expect(hornerBound()).toBeLessThan(2 ** 31);
    expect(hornerBound()).toBeGreaterThan(2 ** 30); // the table is read: its largest segment is ~0.8 * 2^31
    expect(hornerBound([2 ** 31, 0, 0, 0, 0, 0, 0])).toBeGreaterThanOrEqual(2 ** 31);
  });
});
