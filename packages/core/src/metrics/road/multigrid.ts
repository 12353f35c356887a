// SPDX-License-Identifier: Apache-2.0
import { addProduct, diagonalOf, multiply, multiplyVectors, transpose, type Csr } from './sparse.js';

/**
 * The unknowns of one grid: `unknownAt[y * width + x]` is the unknown's index or -1 for a known
 * (Dirichlet) cell.
 */
export interface GridUnknowns {
  readonly height: number;
  readonly width: number;
  readonly unknownAt: Int32Array;
  readonly count: number;
}

/** Coarsest levels of at most this many unknowns are solved exactly (dense Cholesky). */
const DIRECT_LIMIT = 128;
/** Symmetric Gauss-Seidel sweeps on a coarsest level too big to factor (unknowns that do not coarsen). */
const COARSEST_SWEEPS = 8;

/** What a level of the hierarchy needs of its operator; vectors hold `k` interleaved columns. */
export interface LevelOperator {
  readonly rows: number;
  /** out = A x. */
  multiply(x: Float64Array, out: Float64Array): void;
  /** One Gauss-Seidel sweep of A x = b over the rows in order (or reversed), in place. */
  sweep(b: Float64Array, x: Float64Array, backward: boolean): void;
}

/** A level's operator held as a sparse matrix (the Galerkin coarse levels). */
export class CsrOperator implements LevelOperator {
  readonly rows: number;
  private readonly diagonal: Float64Array;

  constructor(
    readonly a: Csr,
    private readonly k: number,
  ) {
    this.rows = a.rows;
    this.diagonal = diagonalOf(a);
  }

  multiply(x: Float64Array, out: Float64Array): void {
    multiplyVectors(this.a, x, out, this.k);
  }

  sweep(b: Float64Array, x: Float64Array, backward: boolean): void {
    const { a, diagonal, k } = this;
    const sum = new Float64Array(k);
    for (let step = 0; step < a.rows; step++) {
      const i = backward ? a.rows - 1 - step : step;
      for (let c = 0; c < k; c++) sum[c] = b[i * k + c]!;
      for (let e = a.start[i]!; e < a.start[i + 1]!; e++) {
        const j = a.index[e]!;
        if (j === i) continue;
        const w = a.value[e]!;
        for (let c = 0; c < k; c++) sum[c]! -= w * x[j * k + c]!;
      }
      for (let c = 0; c < k; c++) x[i * k + c] = sum[c]! / diagonal[i]!;
    }
  }
}

interface Level {
  readonly operator: LevelOperator;
  readonly b: Float64Array;
  readonly x: Float64Array;
  readonly residual: Float64Array;
  /** Bilinear interpolation from the next level's unknowns, and its transpose; absent on the coarsest. */
  readonly prolong?: Csr;
  readonly restrict?: Csr;
}

/**
 * The next coarser grid (every second row and column; a coarse cell is unknown when the fine cell
 * it sits on is) and the bilinear interpolation from its unknowns to this grid's. Each coarse
 * unknown has weight 1 on its own fine cell and no other coarse unknown does, so the
 * interpolation has full column rank and the Galerkin operator R A P stays positive definite.
 */
export function coarsen(grid: GridUnknowns): { coarse: GridUnknowns; prolong: Csr } {
  const { height, width, unknownAt } = grid;
  const [ch, cw] = [Math.ceil(height / 2), Math.ceil(width / 2)];
  const coarseAt = new Int32Array(ch * cw).fill(-1);
  let count = 0;
  for (let y = 0; y < ch; y++) for (let x = 0; x < cw; x++) if (unknownAt[2 * y * width + 2 * x]! >= 0) coarseAt[y * cw + x] = count++;
  const start = new Int32Array(grid.count + 1);
  const index = new Int32Array(4 * grid.count);
  const value = new Float64Array(4 * grid.count);
  let e = 0;
  for (let y = 0, row = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (unknownAt[y * width + x]! < 0) continue;
      // Along each axis an even coordinate sits on coarse cell c / 2 (weight 1), an odd one between
      // (c - 1) / 2 and (c + 1) / 2 (weights 1/2; the second may lie past the coarse grid's edge).
      for (let ty = y >> 1; ty <= (y + 1) >> 1 && ty < ch; ty++) {
        for (let tx = x >> 1; tx <= (x + 1) >> 1 && tx < cw; tx++) {
          const j = coarseAt[ty * cw + tx]!;
          if (j < 0) continue;
          index[e] = j;
          value[e++] = (y % 2 ? 0.5 : 1) * (x % 2 ? 0.5 : 1);
        }
      }
      start[++row] = e;
    }
  }
  const prolong = { rows: grid.count, cols: count, start, index, value };
  return { coarse: { height: ch, width: cw, unknownAt: coarseAt, count }, prolong };
}

/**
 * A geometric multigrid V-cycle for a symmetric positive-definite operator on a grid's unknowns,
 * used as the preconditioner of conjugate gradients: Galerkin coarse operators (R A P, R = P^T),
 * one forward Gauss-Seidel sweep before and one backward sweep after the coarse correction, so the
 * cycle is a symmetric linear operator; the coarsest level is factored (dense Cholesky) when small.
 * Works on `k` right-hand sides at once, stored interleaved.
 */
export class Multigrid {
  private readonly levels: Level[] = [];
  private readonly factor: Float64Array | undefined;

  /**
   * `a` is the finest operator as a matrix (the coarse levels are built from it); `fine`, when
   * given, applies the same operator faster on the finest level.
   */
  constructor(
    a: Csr,
    grid: GridUnknowns,
    private readonly k: number,
    fine?: LevelOperator,
  ) {
    let [matrix, unknowns] = [a, grid];
    for (;;) {
      const coarser = matrix.rows > DIRECT_LIMIT ? coarsen(unknowns) : undefined;
      if (!coarser || coarser.coarse.count === 0) break;
      const restrict = transpose(coarser.prolong);
      this.levels.push(this.level(this.operatorOf(matrix, fine), coarser.prolong, restrict));
      matrix = multiply(restrict, multiply(matrix, coarser.prolong));
      unknowns = coarser.coarse;
    }
    this.levels.push(this.level(this.operatorOf(matrix, fine)));
    this.factor = matrix.rows <= DIRECT_LIMIT ? cholesky(matrix) : undefined;
  }

  /** Depth of the hierarchy (1: no coarse levels). */
  get depth(): number {
    return this.levels.length;
  }

  /** z = M^-1 r: one V-cycle from zero. */
  apply(r: Float64Array, z: Float64Array): void {
    this.cycle(0, r, z);
  }

  private operatorOf(matrix: Csr, fine: LevelOperator | undefined): LevelOperator {
    return this.levels.length === 0 && fine ? fine : new CsrOperator(matrix, this.k);
  }

  private level(operator: LevelOperator, prolong?: Csr, restrict?: Csr): Level {
    const size = operator.rows * this.k;
    const vectors = { b: new Float64Array(size), x: new Float64Array(size), residual: new Float64Array(size) };
    return { operator, ...vectors, ...(prolong && restrict ? { prolong, restrict } : {}) };
  }

  private cycle(l: number, b: Float64Array, x: Float64Array): void {
    const level = this.levels[l]!;
    x.fill(0);
    if (!level.prolong) return this.solveCoarsest(level, b, x);
    const next = this.levels[l + 1]!;
    level.operator.sweep(b, x, false);
    level.operator.multiply(x, level.residual);
    for (let i = 0; i < level.residual.length; i++) level.residual[i] = b[i]! - level.residual[i]!;
    multiplyVectors(level.restrict!, level.residual, next.b, this.k);
    this.cycle(l + 1, next.b, next.x);
    addProduct(level.prolong, next.x, x, this.k);
    level.operator.sweep(b, x, true);
  }

  private solveCoarsest(level: Level, b: Float64Array, x: Float64Array): void {
    if (this.factor) return choleskySolve(this.factor, level.operator.rows, b, x, this.k);
    for (let s = 0; s < COARSEST_SWEEPS; s++) {
      level.operator.sweep(b, x, false);
      level.operator.sweep(b, x, true);
    }
  }
}

/** The lower Cholesky factor of a small symmetric positive-definite matrix, dense row-major. */
function cholesky(a: Csr): Float64Array {
  const n = a.rows;
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let e = a.start[i]!; e < a.start[i + 1]!; e++) l[i * n + a.index[e]!] = a.value[e]!;
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

/** Solves L L^T x = b for `k` interleaved right-hand sides. */
function choleskySolve(l: Float64Array, n: number, b: Float64Array, x: Float64Array, k: number): void {
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < n; i++) {
      let s = b[i * k + c]!;
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
