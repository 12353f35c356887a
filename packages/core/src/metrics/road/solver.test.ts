// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { imputationSystem, noisyLinearImpute } from './imputation.js';
import { CsrOperator, Multigrid, coarsen, type GridUnknowns } from './multigrid.js';
import { preconditionedConjugateGradients } from './pcg.js';
import { diagonalOf, multiply, transpose, type Csr } from './sparse.js';
import { StencilOperator } from './stencil.js';

/** A reproducible value in [0, 1) (no RNG dependency: the tests only need irregular data). */
const hash = (i: number) => {
  const s = Math.sin(i * 12.9898 + 78.233) * 43758.5453;
  return s - Math.floor(s);
};

function csrFromDense(dense: number[][]): Csr {
  const [start, index, value] = [[0], [] as number[], [] as number[]];
  for (const row of dense) {
    row.forEach((v, j) => v !== 0 && (index.push(j), value.push(v)));
    start.push(index.length);
  }
  return {
    rows: dense.length,
    cols: dense[0]!.length,
    start: Int32Array.from(start),
    index: Int32Array.from(index),
    value: Float64Array.from(value),
  };
}

function dense(m: Csr): number[][] {
  const out = Array.from({ length: m.rows }, () => new Array<number>(m.cols).fill(0));
  for (let i = 0; i < m.rows; i++) for (let e = m.start[i]!; e < m.start[i + 1]!; e++) out[i]![m.index[e]!]! += m.value[e]!;
  return out;
}

/** ROAD's system written out densely from its definition, solved by Gaussian elimination. */
function denseImputation(image: Float32Array, removed: Uint8Array, h: number, w: number, c: number): Float64Array {
  const unknowns = [...removed.keys()].filter((p) => removed[p]);
  const at = new Map(unknowns.map((p, u) => [p, u]));
  const n = unknowns.length;
  const out = Float64Array.from(image);
  for (let ch = 0; ch < c; ch++) {
    const a = Array.from({ length: n }, () => new Array<number>(n + 1).fill(0));
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
          else a[u]![n]! += weight * image[q * c + ch]!;
        }
      }
    });
    for (let col = 0; col < n; col++) {
      for (let row = col + 1; row < n; row++) {
        const f = a[row]![col]! / a[col]![col]!;
        if (f !== 0) for (let j = col; j <= n; j++) a[row]![j]! -= f * a[col]![j]!;
      }
    }
    const x = new Float64Array(n);
    for (let row = n - 1; row >= 0; row--) {
      let s = a[row]![n]!;
      for (let j = row + 1; j < n; j++) s -= a[row]![j]! * x[j]!;
      x[row] = s / a[row]![row]!;
    }
    unknowns.forEach((p, u) => (out[p * c + ch] = x[u]!));
  }
  return out;
}

function grid(height: number, width: number, removed: (p: number) => boolean): GridUnknowns {
  const unknownAt = new Int32Array(height * width).fill(-1);
  let count = 0;
  for (let p = 0; p < height * width; p++) if (removed(p)) unknownAt[p] = count++;
  return { height, width, unknownAt, count };
}

describe('sparse products', () => {
  it('multiply and transpose agree with dense arithmetic (duplicates summed, empty rows kept)', () => {
    const a = [
      [1, 0, 2],
      [0, 0, 0],
      [-1, 3, 0],
    ];
    const b = [
      [0, 4],
      [5, 0],
      [1, -2],
    ];
    expect(dense(multiply(csrFromDense(a), csrFromDense(b)))).toEqual([
      [2, 0],
      [0, 0],
      [15, -4],
    ]);
    expect(dense(transpose(csrFromDense(b)))).toEqual([
      [0, 5, 1],
      [4, 0, -2],
    ]);
  });
});

describe('noisy linear imputation solver', () => {
  const cases: [string, number, number, number, (p: number, w: number) => boolean][] = [
    ['a blob touching the border, 3 channels', 19, 23, 3, (p, w) => Math.hypot(Math.floor(p / w) - 4, (p % w) - 6) < 7],
    ['scattered pixels, 1 channel', 21, 17, 1, (p) => hash(p) < 0.6],
    ['all but one pixel, 2 channels', 9, 11, 2, (p) => p !== 50],
  ];
  for (const [name, h, w, c, isRemoved] of cases) {
    it(`equals a dense Gaussian elimination of the same system: ${name}`, () => {
      const image = Float32Array.from({ length: h * w * c }, (_, i) => hash(i + 1000));
      const removed = Uint8Array.from({ length: h * w }, (_, p) => (isRemoved(p, w) ? 1 : 0));
      const out = noisyLinearImpute(image, removed, h, w, c, { noise: 0, seed: 0, streamOffset: 0, tolerance: 1e-12 });
      expect(out).toBeAllClose(denseImputation(image, removed, h, w, c), { abs: 2e-6, rel: 0 });
    });
  }

  it('the default tolerance stays within 2e-5 of the exact solve at 96x96 (the error is 1,000x below the default noise)', () => {
    const [h, w, c] = [96, 96, 3];
    const image = Float32Array.from({ length: h * w * c }, (_, i) => hash(i));
    const removed = Uint8Array.from({ length: h * w }, (_, p) =>
      Math.hypot(Math.floor(p / w) - 40, (p % w) - 50) < 35 || hash(p) < 0.3 ? 1 : 0,
    );
    const options = { noise: 0, seed: 0, streamOffset: 0 };
    const exact = noisyLinearImpute(image, removed, h, w, c, { ...options, tolerance: 1e-13 });
    expect(noisyLinearImpute(image, removed, h, w, c, options)).toBeAllClose(exact, { abs: 2e-5, rel: 0 });
  });

  it('the stencil operator is the matrix: same products and the same Gauss-Seidel sweeps', () => {
    const [h, w, k] = [13, 16, 2];
    const unknowns = grid(h, w, (p) => hash(p) < 0.55);
    const image = new Float32Array(h * w * k);
    const removed = Uint8Array.from({ length: h * w }, (_, p) => (unknowns.unknownAt[p]! >= 0 ? 1 : 0));
    const { a } = imputationSystem(image, removed, h, w, k);
    const [stencil, matrix] = [new StencilOperator(unknowns, diagonalOf(a), 1 / 6, 1 / 12, k), new CsrOperator(a, k)];
    const x = Float64Array.from({ length: unknowns.count * k }, (_, i) => hash(i + 7) - 0.5);
    const b = Float64Array.from({ length: unknowns.count * k }, (_, i) => hash(i + 99));
    const [p1, p2] = [new Float64Array(x.length), new Float64Array(x.length)];
    stencil.multiply(x, p1);
    matrix.multiply(x, p2);
    expect(p1).toBeAllClose(p2, { abs: 1e-14, rel: 0 });
    for (const backward of [false, true]) {
      const [s1, s2] = [Float64Array.from(x), Float64Array.from(x)];
      stencil.sweep(b, s1, backward);
      matrix.sweep(b, s2, backward);
      expect(s1).toBeAllClose(s2, { abs: 1e-14, rel: 0 });
    }
  });

  it('the multigrid cycle is a good preconditioner: few iterations at 128x128 where plain conjugate gradients needs hundreds', () => {
    const [h, w] = [128, 128];
    const removed = Uint8Array.from({ length: h * w }, (_, p) => (Math.hypot(Math.floor(p / w) - 60, (p % w) - 70) < 50 ? 1 : 0));
    const image = Float32Array.from({ length: h * w }, (_, i) => hash(i));
    const { a, b, grid: unknowns } = imputationSystem(image, removed, h, w, 1);
    const multigrid = new Multigrid(a, unknowns, 1);
    const solve = (precondition: (r: Float64Array, z: Float64Array) => void) =>
      preconditionedConjugateGradients(new CsrOperator(a, 1), b, new Float64Array(b.length), 1, { tolerance: 1e-8, precondition });
    expect(multigrid.depth).toBe(4); // 128 -> 64 -> 32 -> 16, whose ~110 unknowns are factored
    expect(solve((r, z) => multigrid.apply(r, z))).toBeLessThanOrEqual(12);
    expect(solve((r, z) => z.set(r))).toBeGreaterThan(100);
  });

  it('coarsening keeps full column rank: each coarse unknown owns its fine cell; a level that cannot coarsen is swept', () => {
    const unknowns = grid(6, 7, (p) => hash(p) < 0.7);
    const { coarse, prolong } = coarsen(unknowns);
    const rows = dense(prolong);
    for (let y = 0; y < 3; y++) {
      for (let x = 0; x < 4; x++) {
        const j = coarse.unknownAt[y * 4 + x]!;
        expect(j >= 0).toBe(unknowns.unknownAt[2 * y * 7 + 2 * x]! >= 0);
        if (j >= 0) expect(rows.map((row) => row[j]).filter((v) => v === 1)).toHaveLength(1);
      }
    }
    // Only odd rows removed: no coarse unknowns, 150 > 128 unknowns: the coarsest level is swept, not factored.
    const [h, w] = [20, 15];
    const removed = Uint8Array.from({ length: h * w }, (_, p) => (Math.floor(p / w) % 2 ? 1 : 0));
    const image = Float32Array.from({ length: h * w }, (_, i) => hash(i));
    const out = noisyLinearImpute(image, removed, h, w, 1, { noise: 0, seed: 0, streamOffset: 0, tolerance: 1e-12 });
    expect(out).toBeAllClose(denseImputation(image, removed, h, w, 1), { abs: 1e-6, rel: 0 });
  });
});
