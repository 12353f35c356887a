// SPDX-License-Identifier: Apache-2.0
// One level of the imputation's multigrid: a grid whose unknown cells each carry a 3x3 stencil (a
// row of the symmetric operator), with every vector stored as a zero-bordered image of the grid,
// `k` channels interleaved. Cells that are not unknowns, and the border, hold 0 in every vector, so
// a stencil reads its neighbours without bounds checks or index lists, and coarsening and
// interpolation are plain loops over the geometry (coarsening.ts). A level's arrays come from an
// Arena (arena.ts): they last until the arena's next rewind. With 3 channels and its arrays in the
// arena's WebAssembly.Memory, a level's loops run in WebAssembly (wasm/grid-loops.wat: 2.4-3.2x
// less CPU per loop at 224x224x3, the same bits), else in JS.
import { Arena } from './arena.js';
import { gridLoops, type GridLoops } from './wasm/solve-loops.js';

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
export function gridShape(height: number, width: number, isUnknown: (y: number, x: number) => boolean, arena = new Arena()): GridShape {
  const unknownAt = arena.int32(height * width).fill(-1);
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

/**
 * One level of the multigrid (see the file comment): its unknowns, their stencils, and products and
 * sweeps on its vectors. The products and sweeps read each row's coefficients and the neighbours'
 * offsets into locals once per unknown, not once per channel: V8 does not hoist those loads out of
 * the channel loop, and it is the solve's hot loop (9 ROAD fractions at 224x224x3: 478 -> 422 ms).
 */
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
  /**
   * The loops in WebAssembly, when k is 3 and the level's arrays are in its arena's memory; they
   * run on vectors in that memory too (LoopsOn.holds), the JS loops on any other.
   */
  readonly loops: GridLoops | undefined;
  /** The byte offsets of the 8 neighbours, for the WebAssembly loops. */
  readonly #neighbourBytes: [number, number, number, number, number, number, number, number];

  /**
   * `stencil[u * 9 + slot]` is row u of the operator: the coefficient of the neighbour at `slot`
   * (slotOf), 0 toward cells that are not unknowns; slot 4 the diagonal, which must be positive.
   */
  constructor(
    readonly shape: GridShape,
    readonly stencil: Float64Array,
    readonly k: number,
    arena = new Arena(),
  ) {
    const { height, width, unknownAt } = shape;
    this.count = shape.count;
    this.paddedWidth = width + 2;
    this.size = borderedSize(height, width, k);
    this.at = arena.int32(shape.count);
    for (let p = 0; p < height * width; p++) {
      const u = unknownAt[p]!;
      if (u >= 0) this.at[u] = this.vectorOffset(Math.floor(p / width), p % width);
    }
    this.#inverseDiagonal = arena.float64(shape.count);
    for (let u = 0; u < shape.count; u++) this.#inverseDiagonal[u] = 1 / stencil[u * 9 + 4]!;
    this.#offsets = Int32Array.from({ length: 9 }, (_, s) => ((Math.floor(s / 3) - 1) * this.paddedWidth + (s % 3) - 1) * k);
    const o = this.#offsets;
    this.#neighbourBytes = [o[0]! * 8, o[1]! * 8, o[2]! * 8, o[3]! * 8, o[5]! * 8, o[6]! * 8, o[7]! * 8, o[8]! * 8];
    const loops = k === 3 ? gridLoops(arena.memory) : undefined;
    this.loops = loops?.holds(stencil, this.at, this.#inverseDiagonal, shape.unknownAt) ? loops : undefined;
  }

  /** Where cell (y, x)'s first channel sits in a vector of this level (-1 <= y <= height, -1 <= x <= width). */
  vectorOffset(y: number, x: number): number {
    return borderedOffset(y, x, this.shape.width, this.k);
  }

  /** out = A x on the unknowns (out's other entries are left as they are: 0). */
  multiply(x: Float64Array, out: Float64Array): void {
    const { count, at, k, stencil: s, loops } = this;
    if (loops?.holds(x, out)) {
      return loops.exports.multiply3(s.byteOffset, at.byteOffset, count, x.byteOffset, out.byteOffset, ...this.#neighbourBytes);
    }
    const o = this.#offsets;
    const [o0, o1, o2, o3, o5, o6, o7, o8] = [o[0]!, o[1]!, o[2]!, o[3]!, o[5]!, o[6]!, o[7]!, o[8]!];
    for (let u = 0, r = 0; u < count; u++, r += 9) {
      const s0 = s[r]!,
        s1 = s[r + 1]!,
        s2 = s[r + 2]!,
        s3 = s[r + 3]!,
        s4 = s[r + 4]!;
      const s5 = s[r + 5]!,
        s6 = s[r + 6]!,
        s7 = s[r + 7]!,
        s8 = s[r + 8]!;
      for (let c = 0, i = at[u]!; c < k; c++, i++) {
        const earlier = s0 * x[i + o0]! + s1 * x[i + o1]! + s2 * x[i + o2]! + s3 * x[i + o3]!;
        const later = s5 * x[i + o5]! + s6 * x[i + o6]! + s7 * x[i + o7]! + s8 * x[i + o8]!;
        out[i] = earlier + s4 * x[i]! + later;
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
    const { count, at, k, stencil: s, loops } = this;
    const inverseDiagonal = this.#inverseDiagonal;
    if (loops?.holds(b, x, residual)) {
      const [sb, ab, db] = [s.byteOffset, at.byteOffset, inverseDiagonal.byteOffset];
      return loops.exports.sweepFromZero3(sb, ab, db, count, b.byteOffset, x.byteOffset, residual.byteOffset, ...this.#neighbourBytes);
    }
    const o = this.#offsets;
    const [o0, o1, o2, o3, o5, o6, o7, o8] = [o[0]!, o[1]!, o[2]!, o[3]!, o[5]!, o[6]!, o[7]!, o[8]!];
    for (let u = 0, r = 0; u < count; u++, r += 9) {
      const s0 = s[r]!,
        s1 = s[r + 1]!,
        s2 = s[r + 2]!,
        s3 = s[r + 3]!,
        d = inverseDiagonal[u]!;
      for (let c = 0, i = at[u]!; c < k; c++, i++) {
        x[i] = (b[i]! - (s0 * x[i + o0]! + s1 * x[i + o1]! + s2 * x[i + o2]! + s3 * x[i + o3]!)) * d;
      }
    }
    for (let u = 0, r = 0; u < count; u++, r += 9) {
      const s5 = s[r + 5]!,
        s6 = s[r + 6]!,
        s7 = s[r + 7]!,
        s8 = s[r + 8]!;
      for (let c = 0, i = at[u]!; c < k; c++, i++) {
        residual[i] = -(s5 * x[i + o5]! + s6 * x[i + o6]! + s7 * x[i + o7]! + s8 * x[i + o8]!);
      }
    }
  }

  /** One Gauss-Seidel sweep of A x = b over the unknowns in order (or reversed), in place. */
  sweep(b: Float64Array, x: Float64Array, backward: boolean): void {
    const { count, at, k, stencil: s, loops } = this;
    const inverseDiagonal = this.#inverseDiagonal;
    if (loops?.holds(b, x)) {
      const [sb, ab, db] = [s.byteOffset, at.byteOffset, inverseDiagonal.byteOffset];
      return loops.exports.sweep3(sb, ab, db, count, b.byteOffset, x.byteOffset, backward ? 1 : 0, ...this.#neighbourBytes);
    }
    const o = this.#offsets;
    const [o0, o1, o2, o3, o5, o6, o7, o8] = [o[0]!, o[1]!, o[2]!, o[3]!, o[5]!, o[6]!, o[7]!, o[8]!];
    for (let step = 0; step < count; step++) {
      const u = backward ? count - 1 - step : step;
      const r = u * 9;
      const s0 = s[r]!,
        s1 = s[r + 1]!,
        s2 = s[r + 2]!,
        s3 = s[r + 3]!,
        d = inverseDiagonal[u]!;
      const s5 = s[r + 5]!,
        s6 = s[r + 6]!,
        s7 = s[r + 7]!,
        s8 = s[r + 8]!;
      for (let c = 0, i = at[u]!; c < k; c++, i++) {
        const earlier = s0 * x[i + o0]! + s1 * x[i + o1]! + s2 * x[i + o2]! + s3 * x[i + o3]!;
        const later = s5 * x[i + o5]! + s6 * x[i + o6]! + s7 * x[i + o7]! + s8 * x[i + o8]!;
        x[i] = (b[i]! - earlier - later) * d;
      }
    }
  }
}
