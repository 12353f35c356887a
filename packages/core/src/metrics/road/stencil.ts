// SPDX-License-Identifier: Apache-2.0
import type { GridUnknowns, LevelOperator } from './multigrid.js';

/**
 * The imputation's operator on the full-resolution grid without a stored matrix: every unknown has
 * the same 8-neighbour stencil (edge weight `edge`, diagonal weight `corner`), so products and
 * Gauss-Seidel sweeps gather from a zero-padded image of the vector in which known cells and the
 * border stay 0 (they are not unknowns; their values are in the right-hand side). Same rows, same
 * order and the same arithmetic as the matrix `imputationSystem` builds, without reading it.
 */
export class StencilOperator implements LevelOperator {
  readonly rows: number;
  /** Interleaved cell index (in the padded grid, times k) of each unknown. */
  private readonly cells: Int32Array;
  private readonly diagonal: Float64Array;
  private readonly padded: Float64Array;
  private readonly rowStride: number;

  constructor(
    grid: GridUnknowns,
    diagonal: Float64Array,
    private readonly edge: number,
    private readonly corner: number,
    private readonly k: number,
  ) {
    const pw = grid.width + 2;
    this.rows = grid.count;
    this.diagonal = diagonal;
    this.rowStride = pw * k;
    this.padded = new Float64Array((grid.height + 2) * pw * k);
    this.cells = new Int32Array(grid.count);
    for (let p = 0; p < grid.height * grid.width; p++) {
      const u = grid.unknownAt[p]!;
      if (u >= 0) this.cells[u] = ((Math.floor(p / grid.width) + 1) * pw + (p % grid.width) + 1) * k;
    }
  }

  multiply(x: Float64Array, out: Float64Array): void {
    const { cells, diagonal, padded, k } = this;
    this.scatter(x);
    for (let u = 0; u < this.rows; u++) {
      for (let c = 0; c < k; c++) {
        const at = cells[u]! + c;
        out[u * k + c] = diagonal[u]! * padded[at]! - this.neighbours(at);
      }
    }
  }

  sweep(b: Float64Array, x: Float64Array, backward: boolean): void {
    const { cells, diagonal, padded, k } = this;
    this.scatter(x);
    for (let step = 0; step < this.rows; step++) {
      const u = backward ? this.rows - 1 - step : step;
      for (let c = 0; c < k; c++) {
        const at = cells[u]! + c;
        padded[at] = (b[u * k + c]! + this.neighbours(at)) / diagonal[u]!;
      }
    }
    for (let u = 0; u < this.rows; u++) for (let c = 0; c < k; c++) x[u * k + c] = padded[cells[u]! + c]!;
  }

  /** The weighted sum of the 8 neighbours of the padded image's value `at`. */
  private neighbours(at: number): number {
    const { padded: g, rowStride: up, k: side } = this;
    const edges = g[at - up]! + g[at + up]! + g[at - side]! + g[at + side]!;
    const corners = g[at - up - side]! + g[at - up + side]! + g[at + up - side]! + g[at + up + side]!;
    return this.edge * edges + this.corner * corners;
  }

  private scatter(x: Float64Array): void {
    const { cells, padded, k } = this;
    for (let u = 0; u < this.rows; u++) for (let c = 0; c < k; c++) padded[cells[u]! + c] = x[u * k + c]!;
  }
}
