// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { Arena } from '../arena.js';
import { coarseLevel, prolongAdd, restrict } from '../coarsening.js';
import { EnvelopeCholesky } from '../envelope-cholesky.js';
import type { GridLevel } from '../grid-level.js';
import { imputationSystem, noisyLinearImpute } from '../imputation.js';
import { Multigrid } from '../multigrid.js';
import { preconditionedConjugateGradients } from '../pcg.js';

/** A reproducible value in [0, 1). */
const hash = (i: number) => {
  const s = Math.sin(i * 12.9898 + 78.233) * 43758.5453;
  return s - Math.floor(s);
};

/** An arena whose block already holds `bytes`: in a WebAssembly.Memory, or (webAssembly false) a plain buffer. */
function arenaOf(webAssembly: boolean, bytes = 1 << 22): Arena {
  const arena = new Arena({ webAssembly });
  arena.rewind(bytes);
  return arena;
}

/** The bytes of a vector (so -0 and +0, and NaN payloads, count as different). */
const bitsOf = (v: Float64Array) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

/** A vector of `level` from `arena` holding irregular values on the unknowns (seeded by `seed`), 0 elsewhere. */
function vectorOf(level: GridLevel, arena: Arena, seed: number): Float64Array {
  const v = arena.float64(level.size);
  for (let u = 0; u < level.count; u++) for (let c = 0; c < level.k; c++) v[level.at[u]! + c] = hash(seed + u * 3 + c) - 0.5;
  return v;
}

/** The same `k`-channel system built in a WebAssembly arena and in a plain one. */
function systems(h: number, w: number, isRemoved: (y: number, x: number) => boolean, k = 3) {
  const removed = Uint8Array.from({ length: h * w }, (_, p) => (isRemoved(Math.floor(p / w), p % w) ? 1 : 0));
  const image = Float32Array.from({ length: h * w * k }, (_, i) => hash(i + 99));
  return [true, false].map((webAssembly) => {
    const arena = arenaOf(webAssembly);
    return { arena, ...imputationSystem(image, removed, h, w, k, arena) };
  });
}

type System = ReturnType<typeof systems>[number];

const cases: [string, number, number, (y: number, x: number) => boolean][] = [
  ['odd sizes, scattered', 13, 17, (y, x) => hash(y * 17 + x) < 0.6],
  ['even sizes, a blob on the border', 14, 12, (y, x) => Math.hypot(y - 2, x - 10) < 9],
  ['every pixel but one', 9, 11, (y, x) => y + x > 0],
];

describe('ROAD solve loops in WebAssembly (grid-loops.wat)', () => {
  for (const [name, h, w, isRemoved] of cases) {
    it(`products and sweeps give the JS loops' bits: ${name}`, () => {
      const [wasm, js] = systems(h, w, isRemoved);
      expect(wasm!.level.loops).toBeDefined();
      expect(js!.level.loops).toBeUndefined();
      const run = ({ level, b, arena }: System) => {
        const x = vectorOf(level, arena, 1);
        const out = arena.float64(level.size);
        level.multiply(x, out);
        const forward = vectorOf(level, arena, 2);
        level.sweep(b, forward, false);
        const backward = vectorOf(level, arena, 3);
        level.sweep(b, backward, true);
        const [fromZero, residual] = [arena.float64(level.size), arena.float64(level.size)];
        level.sweepFromZero(b, fromZero, residual);
        return [out, forward, backward, fromZero, residual].map(bitsOf);
      };
      expect(run(wasm!)).toEqual(run(js!));
    });

    it(`restriction and interpolation give the JS loops' bits: ${name}`, () => {
      const run = ({ level: fine, arena }: System) => {
        const coarse = coarseLevel(fine, arena)!;
        const restricted = arena.float64(coarse.size);
        restrict(fine, vectorOf(fine, arena, 5), coarse, restricted);
        const x = vectorOf(fine, arena, 6);
        prolongAdd(coarse, vectorOf(coarse, arena, 7), fine, x);
        return { wasm: coarse.loops !== undefined, bits: [restricted, x].map(bitsOf) };
      };
      const [wasm, js] = systems(h, w, isRemoved).map(run);
      expect([wasm!.wasm, js!.wasm]).toEqual([true, false]);
      expect(wasm!.bits).toEqual(js!.bits);
    });

    it(`preconditioned conjugate gradients give the JS loops' bits, iteration for iteration: ${name}`, () => {
      const run = ({ level, b, arena }: System) => {
        const multigrid = new Multigrid(level, arena);
        const x = arena.float64(level.size);
        const precondition = (r: Float64Array, z: Float64Array) => multigrid.apply(r, z);
        const iterations = preconditionedConjugateGradients(level, b, x, { tolerance: 1e-12, precondition, arena });
        return { iterations, x: bitsOf(x) };
      };
      const [wasm, js] = systems(h, w, isRemoved).map(run);
      expect(wasm!.iterations).toBeGreaterThan(1);
      expect(wasm).toEqual(js);
    });
  }

  for (const k of [1, 3]) {
    it(`the envelope Cholesky factor and solve give the JS loops' bits, ${k} channel(s), every case`, () => {
      for (const [, h, w, isRemoved] of cases) {
        const [wasm, js] = systems(h, w, isRemoved, k).map(({ level, b, arena }) => {
          const x = arena.float64(level.size);
          new EnvelopeCholesky(level, arena).solve(b, x);
          return { x: bitsOf(x), inMemory: x.buffer === arena.memory?.buffer };
        });
        expect([wasm!.inMemory, js!.inMemory]).toEqual([true, false]);
        expect(wasm!.x).toEqual(js!.x);
      }
    });
  }

  it("a ROAD-like run of imputations through one arena gives a plain arena's bits, every solve in the arena's memory", () => {
    const [h, w] = [40, 36];
    const image = Float32Array.from({ length: h * w * 3 }, (_, i) => Math.abs(Math.sin(i * 0.37)));
    const run = (arena: Arena) =>
      [0.1, 0.5, 0.9].map((f, i) => {
        const removed = Uint8Array.from({ length: h * w }, (_, p) => (hash(p + 3) < f ? 1 : 0));
        const options = { noise: 0.01, seed: 4, streamOffset: i * 5000, solver: 'multigrid' as const };
        const out = noisyLinearImpute(image, removed, h, w, 3, options, arena);
        // Everything the solve asked for was cut from the block (none of it plain new arrays).
        expect(arena.asked).toBeLessThanOrEqual(arena.capacity);
        return out;
      });
    const wasm = new Arena();
    expect(run(wasm)).toEqual(run(new Arena({ webAssembly: false })));
    expect(wasm.memory).toBeInstanceOf(WebAssembly.Memory);
  });

  it('the block an imputation sizes up front holds a multigrid solve of every pixel but one, even and odd sizes', () => {
    for (const [h, w] of [
      [64, 64],
      [57, 43],
    ] as const) {
      const image = Float32Array.from({ length: h * w * 3 }, (_, i) => hash(i));
      const removed = Uint8Array.from({ length: h * w }, (_, p) => (p === 5 ? 0 : 1));
      const arena = new Arena();
      noisyLinearImpute(image, removed, h, w, 3, { noise: 0, seed: 0, streamOffset: 0, solver: 'multigrid' }, arena);
      expect(arena.asked).toBeGreaterThan(0.8 * arena.capacity);
      expect(arena.asked).toBeLessThanOrEqual(arena.capacity);
    }
  });
});
