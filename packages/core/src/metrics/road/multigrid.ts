// SPDX-License-Identifier: Apache-2.0
import { Arena } from './arena.js';
import { coarseLevel, prolongAdd, restrict } from './coarsening.js';
import { EnvelopeCholesky } from './envelope-cholesky.js';
import type { GridLevel } from './grid-level.js';

/**
 * Coarsest levels of at most this many unknowns are solved exactly (EnvelopeCholesky). 64, not 128:
 * at 28x28 the (then dense) factor of a 14x14 level was a sixth of the solve's CPU (9 fractions
 * 4.6 -> 3.6 ms); at 224x224 one level more costs 3 of ~48 iterations per image.
 */
const DIRECT_LIMIT = 64;
/** Symmetric Gauss-Seidel sweeps on a coarsest level too big to factor (unknowns that do not coarsen). */
const COARSEST_SWEEPS = 8;

/**
 * A level and its work vectors (bordered images, like every vector of the level). The finest
 * level's b and x are the ones `apply` is given, so its own are empty.
 */
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
 * symmetric linear operator; the coarsest level is factored (EnvelopeCholesky) when small. Works on
 * the level's `k` channels at once.
 */
export class Multigrid {
  private readonly levels: Level[] = [];
  /** The coarsest level's factor, when it is small enough. */
  private readonly direct: EnvelopeCholesky | undefined;

  /** `arena`: where the levels and their vectors are kept (until its next rewind). */
  constructor(fine: GridLevel, arena = new Arena()) {
    let grid: GridLevel | undefined = fine;
    while (grid) {
      const size = grid === fine ? 0 : grid.size;
      this.levels.push({ grid, b: arena.float64(size), x: arena.float64(size), residual: arena.float64(grid.size) });
      grid = grid.count > DIRECT_LIMIT ? coarseLevel(grid, arena) : undefined;
    }
    const coarsest = this.levels.at(-1)!.grid;
    this.direct = coarsest.count <= DIRECT_LIMIT ? new EnvelopeCholesky(coarsest, arena) : undefined;
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
    if (this.direct) return this.direct.solve(b, x);
    x.fill(0);
    for (let s = 0; s < COARSEST_SWEEPS; s++) {
      grid.sweep(b, x, false);
      grid.sweep(b, x, true);
    }
  }
}
