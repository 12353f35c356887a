// SPDX-License-Identifier: Apache-2.0
// The next coarser level of the imputation's multigrid (every second row and column) and the
// bilinear interpolation P between the two. Along each axis an even fine coordinate 2t sits on
// coarse cell t (weight 1), an odd one 2t + 1 between t and t + 1 (1/2 each; t + 1 past the coarse
// grid's edge drops out). A coarse cell is an unknown when the fine cell it sits on is: each coarse
// unknown has weight 1 on its own fine cell and no other coarse unknown does, so P has full column
// rank and the Galerkin operator P^T A P stays positive definite. P^T A P of 3x3 stencils under
// this P is again a 3x3 stencil, so every level is a GridLevel.
import { GridLevel, gridShape } from './grid-level.js';

/**
 * P along one axis: AXIS_WEIGHTS[parity * 9 + (d + 1) * 3 + r] is the weight of coarse coordinate
 * (v >> 1) - 1 + r in the interpolation of fine coordinate v + d, for a v of that parity.
 */
const AXIS_WEIGHTS = Float64Array.of(0.5, 0.5, 0, 0, 1, 0, 0, 0.5, 0.5, 0, 1, 0, 0, 0.5, 0.5, 0, 0, 1);

/**
 * The Galerkin coarse level of `fine` (P^T A P), or undefined when no fine cell on an even row and
 * column is an unknown.
 */
export function coarseLevel(fine: GridLevel): GridLevel | undefined {
  const { height, width, unknownAt } = fine.shape;
  const shape = gridShape(Math.ceil(height / 2), Math.ceil(width / 2), (y, x) => unknownAt[2 * y * width + 2 * x]! >= 0);
  if (shape.count === 0) return undefined;
  const stencil = new Float64Array(shape.count * 9);
  const product = interpolatedRows(fine);
  const sums = new Float64Array(9);
  for (let ty = 0; ty < shape.height; ty++) {
    for (let tx = 0; tx < shape.width; tx++) {
      const row = shape.unknownAt[ty * shape.width + tx]!;
      if (row < 0) continue;
      restrictRows(fine, product, ty, tx, sums);
      for (let s = 0; s < 9; s++) {
        const y = ty + Math.floor(s / 3) - 1;
        const x = tx + (s % 3) - 1;
        const inside = y >= 0 && y < shape.height && x >= 0 && x < shape.width;
        // Entries toward cells that are not unknowns stay 0, as on every level.
        if (inside && shape.unknownAt[y * shape.width + x]! >= 0) stencil[row * 9 + s] = sums[s]!;
      }
    }
  }
  return new GridLevel(shape, stencil, fine.k);
}

/**
 * (A P) row by row: for fine unknown a at (y, x), entry r of the result is (A P)[a][J] for the
 * coarse cell J = (y >> 1, x >> 1) + (r / 3 - 1, r % 3 - 1) (a's neighbours interpolate from no
 * other), with P's weights along each axis from AXIS_WEIGHTS whether or not J is an unknown.
 */
function interpolatedRows(fine: GridLevel): Float64Array {
  const { height, width, unknownAt } = fine.shape;
  const product = new Float64Array(fine.count * 9);
  const partial = new Float64Array(9);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const a = unknownAt[y * width + x]!;
      if (a < 0) continue;
      const wy = (y & 1) * 9;
      const wx = (x & 1) * 9;
      // partial[dy][rx] = sum over dx of A[a][dy][dx] P_x[dx][rx]; then the same along y.
      for (let dy = 0; dy < 3; dy++) {
        for (let rx = 0; rx < 3; rx++) {
          let s = 0;
          for (let dx = 0; dx < 3; dx++) s += fine.stencil[a * 9 + dy * 3 + dx]! * AXIS_WEIGHTS[wx + dx * 3 + rx]!;
          partial[dy * 3 + rx] = s;
        }
      }
      for (let ry = 0; ry < 3; ry++) {
        for (let rx = 0; rx < 3; rx++) {
          let s = 0;
          for (let dy = 0; dy < 3; dy++) s += AXIS_WEIGHTS[wy + dy * 3 + ry]! * partial[dy * 3 + rx]!;
          product[a * 9 + ry * 3 + rx] = s;
        }
      }
    }
  }
  return product;
}

/**
 * sums[s] = (P^T (A P))[I][I + offset of slot s] for coarse cell I = (ty, tx): over the fine
 * unknowns a that interpolate from I (its cell, edges 1/2, corners 1/4), the entries of a's row of
 * A P at I's neighbours.
 */
function restrictRows(fine: GridLevel, product: Float64Array, ty: number, tx: number, sums: Float64Array): void {
  const { height, width, unknownAt } = fine.shape;
  sums.fill(0);
  for (let fy = -1; fy <= 1; fy++) {
    const y = 2 * ty + fy;
    if (y < 0 || y >= height) continue;
    for (let fx = -1; fx <= 1; fx++) {
      const x = 2 * tx + fx;
      const a = x < 0 || x >= width ? -1 : unknownAt[y * width + x]!;
      if (a < 0) continue;
      const weight = (fy ? 0.5 : 1) * (fx ? 0.5 : 1);
      // a's window is centred on (y >> 1, x >> 1): one cell up (left) of I when fy (fx) is -1.
      const oy = fy < 0 ? 1 : 0;
      const ox = fx < 0 ? 1 : 0;
      for (let s = 0; s < 9; s++) {
        const ry = Math.floor(s / 3) + oy;
        const rx = (s % 3) + ox;
        if (ry < 3 && rx < 3) sums[s]! += weight * product[a * 9 + ry * 3 + rx]!;
      }
    }
  }
}

/** b = P^T r on the coarse unknowns: each gathers its fine cell (1), edge (1/2) and corner (1/4) neighbours. */
export function restrict(fine: GridLevel, r: Float64Array, coarse: GridLevel, b: Float64Array): void {
  const { k } = fine;
  const down = fine.paddedWidth * k;
  const { height, width, unknownAt } = coarse.shape;
  for (let ty = 0; ty < height; ty++) {
    for (let tx = 0; tx < width; tx++) {
      if (unknownAt[ty * width + tx]! < 0) continue;
      const at = coarse.vectorOffset(ty, tx);
      for (let c = 0, i = fine.vectorOffset(2 * ty, 2 * tx); c < k; c++, i++) {
        const edges = r[i - k]! + r[i + k]! + r[i - down]! + r[i + down]!;
        const corners = r[i - down - k]! + r[i - down + k]! + r[i + down - k]! + r[i + down + k]!;
        b[at + c] = r[i]! + 0.5 * edges + 0.25 * corners;
      }
    }
  }
}

/**
 * x += P e on the fine unknowns. The parents along an axis are t = v >> 1 and (v + 1) >> 1, the same
 * cell for an even v: averaging the 4 combinations gives weights 1, 1/2, 1/4 without a branch
 * (e is 0 past the coarse grid's edge, on its border).
 */
export function prolongAdd(coarse: GridLevel, e: Float64Array, fine: GridLevel, x: Float64Array): void {
  const { k } = fine;
  const { height, width, unknownAt } = fine.shape;
  const right = k;
  const down = coarse.paddedWidth * k;
  for (let y = 0; y < height; y++) {
    const dy = y % 2 ? down : 0;
    for (let px = 0; px < width; px++) {
      if (unknownAt[y * width + px]! < 0) continue;
      const dx = px % 2 ? right : 0;
      const at = fine.vectorOffset(y, px);
      for (let c = 0, j = coarse.vectorOffset(y >> 1, px >> 1); c < k; c++, j++) {
        x[at + c]! += 0.25 * (e[j]! + e[j + dx]! + e[j + dy]! + e[j + dy + dx]!);
      }
    }
  }
}
