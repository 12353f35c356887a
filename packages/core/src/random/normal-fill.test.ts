// SPDX-License-Identifier: Apache-2.0
import { InvalidOptionError, normalFill as shadersNormalFill, ShapeMismatchError } from '@webxai/shaders';
import { describe, expect, it } from 'vitest';
import { normalFill, normalFillRunsWebAssembly } from './normal-fill.js';

/** The first index where two f32 arrays' bits differ (so -0 and +0 count as different), -1 when none, or the shorter length. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  const [x, y] = [a, b].map((v) => new Uint32Array(v.buffer, v.byteOffset, v.length)) as [Uint32Array, Uint32Array];
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return i;
  return x.length === y.length ? -1 : Math.min(x.length, y.length);
}

describe("core's normalFill (WebAssembly)", () => {
  it('runs in WebAssembly (Node and Chromium)', () => {
    expect(normalFillRunsWebAssembly()).toBe(true);
  });

  const cases: [string, number, number, number, number, number][] = [
    ['seed 0 from the start, a count not a multiple of 4', 0, 0, 1003, 0, 1],
    ['a seed past 2^32 (both key words), mean and std', 2 ** 40 + 12345, 77, 4097, 0.5, 0.01],
    ['counters across 2^31 (negative as i32)', 9, 2 ** 31 - 6, 13, -2, 3.3],
    ['the end of the stream', 42, 2 ** 32 - 9, 9, 0, 1],
    ['more than one chunk of the module', 3, 5, (1 << 20) + 7, 0.25, 2],
    ['no values', 1, 10, 0, 0, 1],
  ];
  for (const [name, seed, offset, count, mean, std] of cases) {
    it(`gives @webxai/shaders' normalFill bit for bit: ${name}`, () => {
      const expected = shadersNormalFill(seed, offset, count, mean, std);
      expect(firstDifference(normalFill(seed, offset, count, mean, std), expected)).toBe(-1);
      const out = new Float32Array(count + 2).fill(7);
      expect(normalFill(seed, offset, count, mean, std, out)).toBe(out);
      expect(firstDifference(out.subarray(0, count), expected)).toBe(-1);
      expect(Array.from(out.subarray(count))).toEqual([7, 7]);
    });
  }

  it("rejects what @webxai/shaders' normalFill rejects, with the same errors", () => {
    expect(() => normalFill(1, 2 ** 32 - 2, 3)).toThrow(InvalidOptionError);
    expect(() => normalFill(-1, 0, 3)).toThrow(InvalidOptionError);
    expect(() => normalFill(1, 0, 5, 0, 1, new Float32Array(4))).toThrow(ShapeMismatchError);
  });
});
