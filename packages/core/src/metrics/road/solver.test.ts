// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { coarseLevel, prolongAdd, restrict } from './coarsening.js';
import { type GridLevel, gridShape } from './grid-level.js';
import { Arena } from './arena.js';
import { EnvelopeCholesky } from './envelope-cholesky.js';
import { defaultSolver, imputationSystem, noisyLinearImpute } from './imputation.js';
import { Multigrid } from './multigrid.js';
import { preconditionedConjugateGradients } from './pcg.js';

/** A reproducible value in [0, 1) (no RNG dependency: the tests only need irregular data). */
const hash = (i: number) => {
  const s = Math.sin(i * 12.9898 + 78.233) * 43758.5453;
  return s - Math.floor(s);
};

/** ROAD's operator written out densely from its definition over the removed pixels (row-major order). */
function definitionOperator(removed: Uint8Array, h: number, w: number) {
  const unknowns = [...removed.keys()].filter((p) => removed[p]);
  const at = new Map(unknowns.map((p, u) => [p, u]));
  const n = unknowns.length;
  const a = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  /** Per unknown, its kept neighbours and their weights (the right-hand side's terms). */
  const kept = unknowns.map(() => [] as [q: number, weight: number][]);
  unknowns.forEach((p, u) => {
    const [y, x] = [Math.floor(p / w), p % w];
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const [yy, xx] = [y + dy, x + dx];
        if ((dy === 0 && dx === 0) || yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
        const weight = dy === 0 || dx === 0 ? 1 / 6 : 1 / 12;
        a[u]![u]! += weight;
        const q = yy * w + xx;
        if (at.has(q)) a[u]![at.get(q)!]! -= weight;
        else kept[u]!.push([q, weight]);
      }
    }
  });
  return { unknowns, a, kept };
}

/** ROAD's system from its definition, solved by Gaussian elimination, channel by channel. */
function denseImputation(image: Float32Array, removed: Uint8Array, h: number, w: number, c: number): Float64Array {
  const { unknowns, a, kept } = definitionOperator(removed, h, w);
  const n = unknowns.length;
  const out = Float64Array.from(image);
  for (let ch = 0; ch < c; ch++) {
    const m = a.map((row, u) => [...row, kept[u]!.reduce((s, [q, weight]) => s + weight * image[q * c + ch]!, 0)]);
    for (let col = 0; col < n; col++) {
      for (let row = col + 1; row < n; row++) {
        const f = m[row]![col]! / m[col]![col]!;
        if (f !== 0) for (let j = col; j <= n; j++) m[row]![j]! -= f * m[col]![j]!;
      }
    }
    const x = new Float64Array(n);
    for (let row = n - 1; row >= 0; row--) {
      let s = m[row]![n]!;
      for (let j = row + 1; j < n; j++) s -= m[row]![j]! * x[j]!;
      x[row] = s / m[row]![row]!;
    }
    unknowns.forEach((p, u) => (out[p * c + ch] = x[u]!));
  }
  return out;
}

/** A level's vector holding `values` (per unknown, k interleaved) on its unknowns. */
function levelVector(level: GridLevel, values: ArrayLike<number>): Float64Array {
  const v = new Float64Array(level.size);
  for (let u = 0; u < level.count; u++) for (let c = 0; c < level.k; c++) v[level.at[u]! + c] = values[u * level.k + c]!;
  return v;
}

/** The unknowns' entries of a level's vector (per unknown, k interleaved). */
function unknownsOf(level: GridLevel, v: Float64Array): Float64Array {
  const out = new Float64Array(level.count * level.k);
  for (let u = 0; u < level.count; u++) for (let c = 0; c < level.k; c++) out[u * level.k + c] = v[level.at[u]! + c]!;
  return out;
}

/** The sum of |v| over the entries that are not an unknown's (they must stay 0). */
function outsideUnknowns(level: GridLevel, v: Float64Array): number {
  const copy = Float64Array.from(v);
  for (let u = 0; u < level.count; u++) for (let c = 0; c < level.k; c++) copy[level.at[u]! + c] = 0;
  return copy.reduce((s, x) => s + Math.abs(x), 0);
}

/** Dense A x for k interleaved columns. */
function denseProduct(a: number[][], x: ArrayLike<number>, k: number): Float64Array {
  const out = new Float64Array(a.length * k);
  a.forEach((row, i) =>
    row.forEach((v, j) => {
      for (let c = 0; c < k; c++) out[i * k + c]! += v * x[j * k + c]!;
    }),
  );
  return out;
}

/** One dense Gauss-Seidel sweep of A x = b (rows in order or reversed), in place. */
function denseSweep(a: number[][], b: ArrayLike<number>, x: Float64Array, k: number, backward: boolean): void {
  for (let step = 0; step < a.length; step++) {
    const i = backward ? a.length - 1 - step : step;
    for (let c = 0; c < k; c++) {
      let s = b[i * k + c]!;
      a[i]!.forEach((v, j) => j !== i && (s -= v * x[j * k + c]!));
      x[i * k + c] = s / a[i]![i]!;
    }
  }
}

/** The bilinear interpolation P from the next coarser grid's unknowns, from its definition. */
function denseInterpolation(fine: GridLevel): { p: number[][]; coarseUnknowns: [number, number][] } {
  const { height, width, unknownAt } = fine.shape;
  const coarseUnknowns: [number, number][] = [];
  for (let ty = 0; ty < Math.ceil(height / 2); ty++)
    for (let tx = 0; tx < Math.ceil(width / 2); tx++) if (unknownAt[2 * ty * width + 2 * tx]! >= 0) coarseUnknowns.push([ty, tx]);
  const axis = (v: number, t: number) => (v === 2 * t ? 1 : Math.abs(v - 2 * t) === 1 ? 0.5 : 0);
  const p = Array.from({ length: fine.count }, () => new Array<number>(coarseUnknowns.length).fill(0));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = unknownAt[y * width + x]!;
      if (u >= 0) coarseUnknowns.forEach(([ty, tx], j) => (p[u]![j] = axis(y, ty) * axis(x, tx)));
    }
  }
  return { p, coarseUnknowns };
}

/** A level's operator as a dense row-major matrix over its unknowns. */
function denseOf(grid: GridLevel): Float64Array {
  const { height, width, unknownAt, count } = grid.shape;
  const dense = new Float64Array(count * count);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = unknownAt[y * width + x]!;
      if (u < 0) continue;
      for (let s = 0; s < 9; s++) {
        const value = grid.stencil[u * 9 + s]!;
        if (value !== 0) dense[u * count + unknownAt[(y + Math.floor(s / 3) - 1) * width + x + (s % 3) - 1]!] = value;
      }
    }
  }
  return dense;
}

const transposed = (m: number[][]) => m[0]!.map((_, j) => m.map((row) => row[j]!));
const times = (a: number[][], b: number[][]) => a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, i) => s + v * b[i]![j]!, 0)));
const flat = (m: number[][]) => Float64Array.from(m.flat());

describe('noisy linear imputation solver', () => {
  const cases: [string, number, number, number, (p: number, w: number) => boolean][] = [
    ['a blob touching the border, 3 channels', 19, 23, 3, (p, w) => Math.hypot(Math.floor(p / w) - 4, (p % w) - 6) < 7],
    ['scattered pixels, 1 channel', 21, 17, 1, (p) => hash(p) < 0.6],
    ['all but one pixel, 2 channels', 9, 11, 2, (p) => p !== 50],
  ];
  for (const [name, h, w, c, isRemoved] of cases) {
    for (const solver of ['direct', 'multigrid'] as const) {
      it(`equals a dense Gaussian elimination of the same system: ${name}, ${solver}`, () => {
        const image = Float32Array.from({ length: h * w * c }, (_, i) => hash(i + 1000));
        const removed = Uint8Array.from({ length: h * w }, (_, p) => (isRemoved(p, w) ? 1 : 0));
        const out = noisyLinearImpute(image, removed, h, w, c, { noise: 0, seed: 0, streamOffset: 0, tolerance: 1e-12, solver });
        expect(out).toBeAllClose(denseImputation(image, removed, h, w, c), { abs: 2e-6, rel: 0 });
      });
    }
  }

  it("the envelope's work is half the sum of each row's squared width: 92.5 for a fully removed 3x4 grid", () => {
    // Row 0: widths 0, 1, 1, 1 (the left neighbour); rows 1 and 2: 4 at x = 0 (the cell above), else 5 (above left).
    const { level } = imputationSystem(new Float32Array(12), new Uint8Array(12).fill(1), 3, 4, 1);
    const work = (3 + 2 * (16 + 3 * 25)) / 2;
    const within = (limit: number) => EnvelopeCholesky.startsWithin(level, limit, new Arena()) !== undefined;
    expect([within(work), within(work - 0.5)]).toEqual([true, false]);
  });

  it('solves small images directly, large ones by multigrid, the crossover growing with the channels', () => {
    const blob = (h: number, w: number) =>
      Uint8Array.from({ length: h * w }, (_, p) =>
        Math.hypot(Math.floor(p / w) - h / 2, (p % w) - w / 2) < h / 3 || hash(p) < 0.3 ? 1 : 0,
      );
    const solverAt = (size: number, k: number) =>
      defaultSolver(imputationSystem(new Float32Array(size * size * k), blob(size, size), size, size, k).level);
    expect([solverAt(28, 1), solverAt(28, 3), solverAt(64, 3)]).toEqual(['direct', 'direct', 'direct']);
    expect([solverAt(64, 1), solverAt(128, 1), solverAt(128, 3), solverAt(224, 3)]).toEqual([
      'multigrid',
      'multigrid',
      'multigrid',
      'multigrid',
    ]);
  });

  it('the default tolerance stays within 2e-5 of the exact solve at 96x96 (the error is 1,000x below the default noise)', () => {
    const [h, w, c] = [96, 96, 3];
    const image = Float32Array.from({ length: h * w * c }, (_, i) => hash(i));
    const removed = Uint8Array.from({ length: h * w }, (_, p) =>
      Math.hypot(Math.floor(p / w) - 40, (p % w) - 50) < 35 || hash(p) < 0.3 ? 1 : 0,
    );
    const options = { noise: 0, seed: 0, streamOffset: 0, solver: 'multigrid' } as const;
    const exact = noisyLinearImpute(image, removed, h, w, c, { ...options, tolerance: 1e-13 });
    expect(noisyLinearImpute(image, removed, h, w, c, options)).toBeAllClose(exact, { abs: 2e-5, rel: 0 });
  });

  it("the finest level is the definition's operator and right-hand side: its products and sweeps", () => {
    const [h, w, k] = [13, 16, 2];
    const removed = Uint8Array.from({ length: h * w }, (_, p) => (hash(p) < 0.55 || p % w === 0 ? 1 : 0));
    const image = Float32Array.from({ length: h * w * k }, (_, i) => hash(i + 300));
    const { level, b: levelB } = imputationSystem(image, removed, h, w, k);
    const { a, kept } = definitionOperator(removed, h, w);
    const b = Float64Array.from({ length: a.length * k }, (_, i) =>
      kept[Math.floor(i / k)]!.reduce((s, [q, weight]) => s + weight * image[q * k + (i % k)]!, 0),
    );
    expect(unknownsOf(level, levelB)).toBeAllClose(b, { abs: 1e-14, rel: 0 });
    expect(outsideUnknowns(level, levelB)).toBe(0);
    expect(denseOf(level)).toBeAllClose(flat(a), { abs: 0, rel: 0 });
    const x = Float64Array.from({ length: a.length * k }, (_, i) => hash(i + 7) - 0.5);
    const product = new Float64Array(level.size);
    level.multiply(levelVector(level, x), product);
    expect(unknownsOf(level, product)).toBeAllClose(denseProduct(a, x, k), { abs: 1e-14, rel: 0 });
    for (const backward of [false, true]) {
      const [swept, expected] = [levelVector(level, x), Float64Array.from(x)];
      level.sweep(levelVector(level, b), swept, backward);
      denseSweep(a, b, expected, k, backward);
      expect(unknownsOf(level, swept)).toBeAllClose(expected, { abs: 1e-14, rel: 0 });
      expect(outsideUnknowns(level, swept)).toBe(0);
    }
    // From zero: the forward sweep, and the residual b - A x it leaves.
    const [fromZero, residual] = [levelVector(level, x), new Float64Array(level.size)];
    level.sweepFromZero(levelVector(level, b), fromZero, residual);
    const expected = new Float64Array(x.length);
    denseSweep(a, b, expected, k, false);
    const ax = denseProduct(a, expected, k);
    expect(unknownsOf(level, fromZero)).toBeAllClose(expected, { abs: 1e-14, rel: 0 });
    expect(unknownsOf(level, residual)).toBeAllClose(
      b.map((v, i) => v - ax[i]!),
      { abs: 1e-13, rel: 0 },
    );
  });

  const coarsenCases: [string, number, number, (p: number, w: number) => boolean][] = [
    ['odd sizes, scattered', 13, 17, (p) => hash(p + 5) < 0.6],
    ['even sizes, a blob on the border', 14, 12, (p, w) => Math.hypot(Math.floor(p / w) - 2, (p % w) - 10) < 6],
  ];
  for (const [name, h, w, isRemoved] of coarsenCases) {
    it(`the coarse level is P^T A P for the bilinear P from its definition; restriction is P^T, interpolation P: ${name}`, () => {
      const removed = Uint8Array.from({ length: h * w }, (_, p) => (isRemoved(p, w) ? 1 : 0));
      const k = 2;
      const { level: fine } = imputationSystem(new Float32Array(h * w * k), removed, h, w, k);
      const coarse = coarseLevel(fine)!;
      const { p, coarseUnknowns } = denseInterpolation(fine);
      expect(coarse.count).toBe(coarseUnknowns.length);
      const a = definitionOperator(removed, h, w).a;
      expect(denseOf(coarse)).toBeAllClose(flat(times(transposed(p), times(a, p))), { abs: 1e-14, rel: 0 });
      const r = Float64Array.from({ length: fine.count * k }, (_, i) => hash(i + 11) - 0.5);
      const restricted = new Float64Array(coarse.size);
      restrict(fine, levelVector(fine, r), coarse, restricted);
      expect(unknownsOf(coarse, restricted)).toBeAllClose(denseProduct(transposed(p), r, k), { abs: 1e-14, rel: 0 });
      expect(outsideUnknowns(coarse, restricted)).toBe(0);
      const e = Float64Array.from({ length: coarse.count * k }, (_, i) => hash(i + 23) - 0.5);
      const x = levelVector(fine, r);
      prolongAdd(coarse, levelVector(coarse, e), fine, x);
      const pe = denseProduct(p, e, k);
      expect(unknownsOf(fine, x)).toBeAllClose(
        r.map((v, i) => v + pe[i]!),
        { abs: 1e-14, rel: 0 },
      );
      expect(outsideUnknowns(fine, x)).toBe(0);
    });
  }

  it('the multigrid cycle is a good preconditioner: few iterations at 128x128 where plain conjugate gradients needs hundreds', () => {
    const [h, w] = [128, 128];
    const removed = Uint8Array.from({ length: h * w }, (_, p) => (Math.hypot(Math.floor(p / w) - 60, (p % w) - 70) < 50 ? 1 : 0));
    const image = Float32Array.from({ length: h * w }, (_, i) => hash(i));
    const { level, b } = imputationSystem(image, removed, h, w, 1);
    const multigrid = new Multigrid(level);
    const solve = (precondition: (r: Float64Array, z: Float64Array) => void) =>
      preconditionedConjugateGradients(level, b, new Float64Array(b.length), { tolerance: 1e-8, precondition });
    expect(multigrid.depth).toBe(5); // 128 -> 64 -> 32 -> 16 (~110 unknowns) -> 8, whose ~28 are factored
    expect(solve((r, z) => multigrid.apply(r, z))).toBeLessThanOrEqual(12);
    expect(solve((r, z) => z.set(r))).toBeGreaterThan(100);
  });

  it('a level that cannot coarsen (no unknown on an even row) is swept, and the solve is still exact', () => {
    // Only odd rows removed: no coarse unknowns, 150 > 64 unknowns: the coarsest level is swept, not factored.
    const [h, w] = [20, 15];
    const removed = Uint8Array.from({ length: h * w }, (_, p) => (Math.floor(p / w) % 2 ? 1 : 0));
    const { level } = imputationSystem(new Float32Array(h * w), removed, h, w, 1);
    expect(coarseLevel(level)).toBeUndefined();
    expect(new Multigrid(level).depth).toBe(1);
    const image = Float32Array.from({ length: h * w }, (_, i) => hash(i));
    const out = noisyLinearImpute(image, removed, h, w, 1, { noise: 0, seed: 0, streamOffset: 0, tolerance: 1e-12, solver: 'multigrid' });
    expect(out).toBeAllClose(denseImputation(image, removed, h, w, 1), { abs: 1e-6, rel: 0 });
  });

  it('grid shapes number unknowns in row-major order', () => {
    const shape = gridShape(2, 3, (y, x) => (y + x) % 2 === 0);
    expect(Array.from(shape.unknownAt)).toEqual([0, -1, 1, -1, 2, -1]);
    expect(shape.count).toBe(3);
  });
});
