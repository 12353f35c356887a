// SPDX-License-Identifier: Apache-2.0
// One level of the imputation's multigrid: a grid whose unknown cells each carry a 3x3 stencil (a
// row of the symmetric operator), with every vector stored as a zero-bordered image of the grid,
// `k` channels interleaved. Cells that are not unknowns, and the border, hold 0 in every vector, so
// a stencil reads its neighbours without bounds checks or index lists, and coarsening and
// interpolation are plain loops over the geometry (coarsening.ts).

/** The stencil slot of neighbour offset (dy, dx), each in -1..1; slot 4 is the cell itself. */
export const slotOf = (dy: number, dx: number): number => (dy + 1) * 3 + dx + 1;

/** A grid and which of its cells are unknowns. */
export interface GridShape {
  readonly height: number;
  readonly width: number;
  /** unknownAt[y * width + x]: the unknown's index (row-major order) or -1. */
  readonly unknownAt: Int32Array;
  readonly count: number;
}

/** The unknowns of a `height` x `width` grid where `isUnknown(y, x)`, numbered in row-major order. */
export function gridShape(height: number, width: number, isUnknown: (y: number, x: number) => boolean): GridShape {
  const unknownAt = new Int32Array(height * width).fill(-1);
  let count = 0;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (isUnknown(y, x)) unknownAt[y * width + x] = count++;
  return { height, width, unknownAt, count };
}

/** Where cell (y, x) of a `width`-wide grid's first channel sits in a vector of its level (GridLevel). */
export function borderedOffset(y: number, x: number, width: number, k: number): number {
  return ((y + 1) * (width + 2) + x + 1) * k;
}

/** Length of a vector of a `height` x `width` grid's level. */
export function borderedSize(height: number, width: number, k: number): number {
  return (height + 2) * (width + 2) * k;
}

/** One level of the multigrid (see the file comment): its unknowns, their stencils, and products and sweeps on its vectors. */
export class GridLevel {
  readonly count: number;
  /** Width of the zero-bordered image. */
  readonly paddedWidth: number;
  /** Length of a vector on this level: (height + 2) * (width + 2) * k. */
  readonly size: number;
  /** Offset (in the bordered image, times k) of each unknown's first channel, in unknown order. */
  readonly at: Int32Array;
  /** 1 / the diagonal, per unknown (a product is cheaper than a division in the sweeps' chains). */
  readonly #inverseDiagonal: Float64Array;
  /** Vector offsets of the 9 stencil slots, in slot order. */
  readonly #offsets: Int32Array;

  /** The off-diagonal coefficients when they are the same in every row (see the constructor). */
  readonly #uniform: { readonly edge: number; readonly corner: number } | undefined;

  /**
   * `stencil[u * 9 + slot]` is row u of the operator: the coefficient of the neighbour at `slot`
   * (slotOf), 0 toward cells that are not unknowns; slot 4 the diagonal, which must be positive.
   * `uniform`, when given, says every off-diagonal coefficient toward an unknown is -edge (edge
   * neighbours) or -corner (diagonal ones): the products then read no coefficients (the vectors'
   * zeros stand for the cells that are not unknowns), as on the finest level.
   */
  constructor(
    readonly shape: GridShape,
    readonly stencil: Float64Array,
    readonly k: number,
    uniform?: { readonly edge: number; readonly corner: number },
  ) {
    this.#uniform = uniform;
    const { height, width, unknownAt } = shape;
    this.count = shape.count;
    this.paddedWidth = width + 2;
    this.size = borderedSize(height, width, k);
    this.at = new Int32Array(shape.count);
    for (let p = 0; p < height * width; p++) {
      const u = unknownAt[p]!;
      if (u >= 0) this.at[u] = this.vectorOffset(Math.floor(p / width), p % width);
    }
    this.#inverseDiagonal = new Float64Array(shape.count);
    for (let u = 0; u < shape.count; u++) this.#inverseDiagonal[u] = 1 / stencil[u * 9 + 4]!;
    this.#offsets = Int32Array.from({ length: 9 }, (_, s) => ((Math.floor(s / 3) - 1) * this.paddedWidth + (s % 3) - 1) * k);
  }

  /** Where cell (y, x)'s first channel sits in a vector of this level (-1 <= y <= height, -1 <= x <= width). */
  vectorOffset(y: number, x: number): number {
    return borderedOffset(y, x, this.shape.width, this.k);
  }

  /** out = A x on the unknowns (out's other entries are left as they are: 0). */
  multiply(x: Float64Array, out: Float64Array): void {
    for (let u = 0; u < this.count; u++) {
      for (let c = 0, i = this.at[u]!; c < this.k; c++, i++) {
        out[i] = this.#earlier(u, x, i) + this.stencil[u * 9 + 4]! * x[i]! + this.#later(u, x, i);
      }
    }
  }

  /**
   * One Gauss-Seidel sweep of A x = b from x = 0 (forward substitution: only the neighbours before
   * a cell are read, all already written), and the residual b - A x it leaves, which is the
   * neighbours after each cell alone (the sweep solved each row for what came before): the pair
   * costs one operator product, not two.
   */
  sweepFromZero(b: Float64Array, x: Float64Array, residual: Float64Array): void {
    for (let u = 0; u < this.count; u++) {
      for (let c = 0, i = this.at[u]!; c < this.k; c++, i++) x[i] = (b[i]! - this.#earlier(u, x, i)) * this.#inverseDiagonal[u]!;
    }
    for (let u = 0; u < this.count; u++) for (let c = 0, i = this.at[u]!; c < this.k; c++, i++) residual[i] = -this.#later(u, x, i);
  }

  /** One Gauss-Seidel sweep of A x = b over the unknowns in order (or reversed), in place. */
  sweep(b: Float64Array, x: Float64Array, backward: boolean): void {
    for (let step = 0; step < this.count; step++) {
      const u = backward ? this.count - 1 - step : step;
      for (let c = 0, i = this.at[u]!; c < this.k; c++, i++) {
        x[i] = (b[i]! - this.#earlier(u, x, i) - this.#later(u, x, i)) * this.#inverseDiagonal[u]!;
      }
    }
  }

  /** Row u's terms for the 4 neighbours before the cell (the row above, then the left one). */
  #earlier(u: number, x: Float64Array, i: number): number {
    const o = this.#offsets;
    if (this.#uniform)
      return -(this.#uniform.edge * (x[i + o[1]!]! + x[i + o[3]!]!) + this.#uniform.corner * (x[i + o[0]!]! + x[i + o[2]!]!));
    const s = this.stencil;
    const r = u * 9;
    return s[r]! * x[i + o[0]!]! + s[r + 1]! * x[i + o[1]!]! + s[r + 2]! * x[i + o[2]!]! + s[r + 3]! * x[i + o[3]!]!;
  }

  /** Row u's terms for the 4 neighbours after the cell (the right one, then the row below). */
  #later(u: number, x: Float64Array, i: number): number {
    const o = this.#offsets;
    if (this.#uniform)
      return -(this.#uniform.edge * (x[i + o[5]!]! + x[i + o[7]!]!) + this.#uniform.corner * (x[i + o[6]!]! + x[i + o[8]!]!));
    const s = this.stencil;
    const r = u * 9;
    return s[r + 5]! * x[i + o[5]!]! + s[r + 6]! * x[i + o[6]!]! + s[r + 7]! * x[i + o[7]!]! + s[r + 8]! * x[i + o[8]!]!;
  }
}
