// SPDX-License-Identifier: Apache-2.0
import { coarseLevel, prolongAdd, restrict } from './coarsening.js';
import type { GridLevel } from './grid-level.js';

/**
 * Coarsest levels of at most this many unknowns are solved exactly (dense Cholesky, n^3 / 6
 * multiply-adds). 64, not 128: at 28x28 the factor of a 14x14 level was a sixth of the solve's CPU
 * (9 fractions 4.6 -> 3.6 ms); at 224x224 one level more costs 3 of ~48 iterations per image.
 */
const DIRECT_LIMIT = 64;
/** Symmetric Gauss-Seidel sweeps on a coarsest level too big to factor (unknowns that do not coarsen). */
const COARSEST_SWEEPS = 8;

/** A level and its work vectors (bordered images, like every vector of the level). */
interface Level {
  readonly grid: GridLevel;
  readonly b: Float64Array;
  readonly x: Float64Array;
  readonly residual: Float64Array;
}

/**
 * A geometric multigrid V-cycle for the imputation's symmetric positive-definite operator, used as
 * the preconditioner of conjugate gradients: Galerkin coarse levels (coarsening.ts), one forward
 * Gauss-Seidel sweep before and one backward sweep after the coarse correction, so the cycle is a
 * symmetric linear operator; the coarsest level is factored (dense Cholesky) when small. Works on
 * the level's `k` channels at once.
 */
export class Multigrid {
  private readonly levels: Level[] = [];
  private readonly factor: Float64Array | undefined;
  /** The coarsest level's unknowns, k per unknown, for the factored solve (allocated once). */
  private readonly compact: Float64Array;

  constructor(fine: GridLevel) {
    let grid: GridLevel | undefined = fine;
    while (grid) {
      this.levels.push({ grid, b: new Float64Array(grid.size), x: new Float64Array(grid.size), residual: new Float64Array(grid.size) });
      grid = grid.count > DIRECT_LIMIT ? coarseLevel(grid) : undefined;
    }
    const coarsest = this.levels.at(-1)!.grid;
    this.factor = coarsest.count <= DIRECT_LIMIT ? cholesky(denseOf(coarsest)) : undefined;
    this.compact = new Float64Array(this.factor ? coarsest.count * coarsest.k : 0);
  }

  /** Depth of the hierarchy (1: no coarse levels). */
  get depth(): number {
    return this.levels.length;
  }

  /** z = M^-1 r: one V-cycle from zero (r and z are vectors of the finest level). */
  apply(r: Float64Array, z: Float64Array): void {
    this.cycle(0, r, z);
  }

  private cycle(l: number, b: Float64Array, x: Float64Array): void {
    const { grid, residual } = this.levels[l]!;
    const next = this.levels[l + 1];
    if (!next) return this.solveCoarsest(grid, b, x);
    grid.sweepFromZero(b, x, residual);
    restrict(grid, residual, next.grid, next.b);
    this.cycle(l + 1, next.b, next.x);
    prolongAdd(next.grid, next.x, grid, x);
    grid.sweep(b, x, true);
  }

  private solveCoarsest(grid: GridLevel, b: Float64Array, x: Float64Array): void {
    const { count, at, k } = grid;
    if (this.factor) {
      const compact = this.compact;
      for (let u = 0; u < count; u++) for (let c = 0; c < k; c++) compact[u * k + c] = b[at[u]! + c]!;
      choleskySolve(this.factor, count, compact, k);
      for (let u = 0; u < count; u++) for (let c = 0; c < k; c++) x[at[u]! + c] = compact[u * k + c]!;
      return;
    }
    x.fill(0);
    for (let s = 0; s < COARSEST_SWEEPS; s++) {
      grid.sweep(b, x, false);
      grid.sweep(b, x, true);
    }
  }
}

/** A level's operator as a dense row-major matrix over its unknowns. */
export function denseOf(grid: GridLevel): Float64Array {
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

/** The lower Cholesky factor of a symmetric positive-definite matrix (dense row-major, n x n). */
function cholesky(a: Float64Array): Float64Array {
  const n = Math.round(Math.sqrt(a.length));
  const l = Float64Array.from(a);
  for (let j = 0; j < n; j++) {
    let d = l[j * n + j]!;
    for (let p = 0; p < j; p++) d -= l[j * n + p]! ** 2;
    const root = Math.sqrt(d);
    l[j * n + j] = root;
    for (let i = j + 1; i < n; i++) {
      let s = l[i * n + j]!;
      for (let p = 0; p < j; p++) s -= l[i * n + p]! * l[j * n + p]!;
      l[i * n + j] = s / root;
    }
  }
  return l;
}

/** Solves L L^T x = b in place for `k` interleaved right-hand sides. */
function choleskySolve(l: Float64Array, n: number, x: Float64Array, k: number): void {
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < n; i++) {
      let s = x[i * k + c]!;
      for (let p = 0; p < i; p++) s -= l[i * n + p]! * x[p * k + c]!;
      x[i * k + c] = s / l[i * n + i]!;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = x[i * k + c]!;
      for (let p = i + 1; p < n; p++) s -= l[p * n + i]! * x[p * k + c]!;
      x[i * k + c] = s / l[i * n + i]!;
    }
  }
}
