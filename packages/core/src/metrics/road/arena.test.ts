// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { Arena } from './arena.js';
import { noisyLinearImpute } from './imputation.js';

describe('Arena', () => {
  it('hands out zero-filled arrays, distinct within a repetition, the same memory again after rewind', () => {
    const arena = new Arena();
    const first = arena.float64(4);
    const second = arena.int32(3);
    expect(Array.from(first)).toEqual([0, 0, 0, 0]);
    expect(first.buffer).not.toBe(second.buffer);
    first.fill(7);
    second.fill(-1);
    arena.rewind();
    const again = arena.float64(4);
    expect(again.buffer).toBe(first.buffer);
    expect(Array.from(again)).toEqual([0, 0, 0, 0]);
    // A slot too small for the request gets a new buffer.
    const larger = arena.int32(100);
    expect(larger.buffer).not.toBe(second.buffer);
    expect(larger.every((v) => v === 0)).toBe(true);
  });

  it("one arena through consecutive imputations (as a ROAD run) gives the fresh arrays' results, on both solvers", () => {
    const [h, w, c] = [40, 36, 3];
    const image = Float32Array.from({ length: h * w * c }, (_, i) => Math.abs(Math.sin(i * 0.37)));
    const masks = [0.2, 0.7, 0.4].map((f) => Uint8Array.from({ length: h * w }, (_, p) => (Math.abs(Math.sin(p * 1.3)) < f ? 1 : 0)));
    const arena = new Arena();
    for (const solver of ['multigrid', 'direct'] as const) {
      masks.forEach((removed, i) => {
        const options = { noise: 0.01, seed: 2, streamOffset: i * 5000, solver };
        const fresh = noisyLinearImpute(image, removed, h, w, c, options);
        expect(Array.from(noisyLinearImpute(image, removed, h, w, c, options, arena))).toEqual(Array.from(fresh));
      });
    }
  });
});
