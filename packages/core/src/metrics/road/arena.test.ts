// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { Arena } from './arena.js';
import { noisyLinearImpute } from './imputation.js';

describe('Arena', () => {
  for (const webAssembly of [true, false]) {
    it(`cuts zero-filled, disjoint, 16-byte aligned arrays from one block, the same block again after rewind (webAssembly ${webAssembly})`, () => {
      const arena = new Arena({ webAssembly });
      arena.rewind(1000);
      const first = arena.float64(5);
      const second = arena.int32(3);
      expect(Array.from(first)).toEqual([0, 0, 0, 0, 0]);
      expect(second.buffer).toBe(first.buffer);
      expect(arena.memory === undefined).toBe(!webAssembly);
      if (webAssembly) expect(first.buffer).toBe(arena.memory!.buffer);
      expect(second.byteOffset).toBeGreaterThanOrEqual(first.byteOffset + first.byteLength);
      expect([first.byteOffset % 16, second.byteOffset % 16]).toEqual([0, 0]);
      expect(arena.asked).toBe(48 + 16);
      first.fill(7);
      second.fill(-1);
      arena.rewind();
      const again = arena.float64(5);
      expect([again.buffer, again.byteOffset]).toEqual([first.buffer, first.byteOffset]);
      expect(Array.from(again)).toEqual([0, 0, 0, 0, 0]);
    });
  }

  it('a repetition asking for more than the block holds gets plain arrays for the rest; the next rewind enlarges the block to it', () => {
    const arena = new Arena();
    arena.rewind(100);
    const inBlock = arena.float64(8);
    const past = arena.float64(100_000);
    expect(inBlock.buffer).toBe(arena.memory!.buffer);
    expect(past.buffer).not.toBe(arena.memory!.buffer);
    expect(past.every((v) => v === 0)).toBe(true);
    arena.rewind();
    expect(arena.capacity).toBeGreaterThanOrEqual(64 + 800_000);
    arena.float64(8);
    expect(arena.float64(100_000).buffer).toBe(arena.memory!.buffer);
  });

  it('a new arena has no block: its first repetition allocates as plain new would', () => {
    const arena = new Arena();
    expect(arena.capacity).toBe(0);
    expect(arena.float64(3).buffer.byteLength).toBe(24);
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
