// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { fftTwiddles, twiddleTableSnippet } from './fft-twiddles.js';

/** The numbers of `name`'s `const name = array<f32, n>(...)` in `source`. */
function constants(source: string, name: string): number[] {
  const match = new RegExp(`const ${name} = array<f32, (\\d+)>\\(([^)]*)\\);`).exec(source);
  if (!match) throw new Error(`no ${name} in the snippet`);
  const values = match[2]!.split(',').map((text) => Number(text.trim()));
  expect(values).toHaveLength(Number(match[1]));
  return values;
}

describe('twiddleTableSnippet', () => {
  for (const n of [3, 24, 56, 128, 224]) {
    it(`n = ${n}: its constants are fftTwiddles(${n})'s f32 values exactly, cos then sin`, () => {
      const { name, source } = twiddleTableSnippet(n);
      expect(name).toBe(`fft-twiddles-${n}.wgsl`);
      const table = fftTwiddles(n);
      expect(constants(source, 'TWIDDLE_COS')).toEqual(Array.from({ length: n }, (_, k) => table[2 * k]));
      expect(constants(source, 'TWIDDLE_SIN')).toEqual(Array.from({ length: n }, (_, k) => table[2 * k + 1]));
    });
  }

  it('makes one snippet per length', () => {
    expect(twiddleTableSnippet(128)).toBe(twiddleTableSnippet(128));
    expect(twiddleTableSnippet(64)).not.toBe(twiddleTableSnippet(128));
  });
});
