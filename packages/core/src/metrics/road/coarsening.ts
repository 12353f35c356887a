// SPDX-License-Identifier: Apache-2.0
// The next coarser level of the imputation's multigrid (every second row and column) and the
// bilinear interpolation P between the two. Along each axis an even fine coordinate 2t sits on
// coarse cell t (weight 1), an odd one 2t + 1 between t and t + 1 (1/2 each; t + 1 past the coarse
// grid's edge drops out). A coarse cell is an unknown when the fine cell it sits on is: each coarse
// unknown has weight 1 on its own fine cell and no other coarse unknown does, so P has full column
// rank and the Galerkin operator P^T A P stays positive definite. P^T A P of 3x3 stencils under
// this P is again a 3x3 stencil, so every level is a GridLevel.
import { Arena } from './arena.js';
import { GridLevel, gridShape } from './grid-level.js';

/**
 * The Galerkin coarse level of `fine` (P^T A P), or undefined when no fine cell on an even row and
 * column is an unknown.
 */
export function coarseLevel(fine: GridLevel, arena = new Arena()): GridLevel | undefined {
  const { height, width, unknownAt } = fine.shape;
  const shape = gridShape(Math.ceil(height / 2), Math.ceil(width / 2), (y, x) => unknownAt[2 * y * width + 2 * x]! >= 0, arena);
  if (shape.count === 0) return undefined;
  const stencil = arena.float64(shape.count * 9);
  const product = interpolatedRows(fine, arena);
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
  return new GridLevel(shape, stencil, fine.k, arena);
}

/**
 * (A P) row by row: for fine unknown a at (y, x), entry r of the result is (A P)[a][J] for the
 * coarse cell J = (y >> 1, x >> 1) + (r / 3 - 1, r % 3 - 1) (a's neighbours interpolate from no
 * other), with P's weights along each axis whether or not J is an unknown: the 3x3 row is
 * interpolated along x (each of its rows), then along y (each column), by {@link interpolateAxis}.
 */
function interpolatedRows(fine: GridLevel, arena: Arena): Float64Array {
  const { height, width, unknownAt } = fine.shape;
  const product = arena.float64(fine.count * 9);
  const partial = new Float64Array(9);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const a = unknownAt[y * width + x]!;
      if (a < 0) continue;
      for (let row = 0; row < 3; row++) interpolateAxis(fine.stencil, a * 9 + row * 3, 1, partial, row * 3, 1, x & 1);
      for (let column = 0; column < 3; column++) interpolateAxis(partial, column, 3, product, a * 9 + column, 3, y & 1);
    }
  }
  return product;
}

/**
 * P along one axis applied to three neighbours' coefficients (fine offsets -1, 0, 1 of a cell of
 * the given parity) read at `from`, `from + stride`, `from + 2 * stride`: written as the weights of
 * coarse coordinates (v >> 1) - 1 + r, r = 0..2, at `to + r * toStride`. An even fine coordinate
 * 2t sits on t, an odd one 2t + 1 between t and t + 1 (file comment).
 */
function interpolateAxis(
  src: Float64Array,
  from: number,
  stride: number,
  dst: Float64Array,
  to: number,
  toStride: number,
  odd: number,
): void {
  const before = src[from]!;
  const at = src[from + stride]!;
  const after = src[from + 2 * stride]!;
  if (odd) {
    // v - 1 = 2t sits on t; v = 2t + 1 between t and t + 1; v + 1 = 2t + 2 on t + 1.
    dst[to] = 0;
    dst[to + toStride] = before + 0.5 * at;
    dst[to + 2 * toStride] = 0.5 * at + after;
  } else {
    // v - 1 = 2t - 1 between t - 1 and t; v = 2t on t; v + 1 = 2t + 1 between t and t + 1.
    dst[to] = 0.5 * before;
    dst[to + toStride] = 0.5 * before + at + 0.5 * after;
    dst[to + 2 * toStride] = 0.5 * after;
  }
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
      for (let sy = 0; sy + oy < 3; sy++) {
        const from = a * 9 + (sy + oy) * 3 + ox;
        for (let sx = 0; sx + ox < 3; sx++) sums[sy * 3 + sx]! += weight * product[from + sx]!;
      }
    }
  }
}

/** b = P^T r on the coarse unknowns: each gathers its fine cell (1), edge (1/2) and corner (1/4) neighbours. */
export function restrict(fine: GridLevel, r: Float64Array, coarse: GridLevel, b: Float64Array): void {
  const { k } = fine;
  const down = fine.paddedWidth * k;
  const { height, width, unknownAt } = coarse.shape;
  if (coarse.loops?.holds(r, b)) {
    return coarse.loops.exports.restrict3(
      unknownAt.byteOffset,
      height,
      width,
      fine.paddedWidth,
      coarse.paddedWidth,
      r.byteOffset,
      b.byteOffset,
    );
  }
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
  const down = coarse.paddedWidth * k;
  if (fine.loops?.holds(e, x)) {
    return fine.loops.exports.prolongAdd3(
      unknownAt.byteOffset,
      height,
      width,
      fine.paddedWidth,
      coarse.paddedWidth,
      e.byteOffset,
      x.byteOffset,
    );
  }
  for (let y = 0; y < height; y++) {
    const dy = y % 2 ? down : 0;
    const fineRow = fine.vectorOffset(y, 0);
    const coarseRow = coarse.vectorOffset(y >> 1, 0);
    for (let px = 0; px < width; px++) {
      if (unknownAt[y * width + px]! < 0) continue;
      const dx = px % 2 ? k : 0;
      const at = fineRow + px * k;
      for (let c = 0, j = coarseRow + (px >> 1) * k; c < k; c++, j++) {
        x[at + c]! += 0.25 * (e[j]! + e[j + dx]! + e[j + dy]! + e[j + dy + dx]!);
      }
    }
  }
}
