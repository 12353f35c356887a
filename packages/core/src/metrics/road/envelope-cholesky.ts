// SPDX-License-Identifier: Apache-2.0
// A direct solve of a GridLevel's system (small images; the multigrid's coarsest level): the
// Cholesky factor of the operator in envelope (skyline) storage. Unknowns are numbered row-major, so row u's nonzeros start at its
// first neighbour in the row above: the envelope is about one image row of unknowns wide, and the
// factor fills it in and nothing outside it. Work: the sum over rows of the envelope width squared,
// a few loops that a JIT compiles at once (a page calls ROAD a handful of times; the multigrid's
// many small functions are still cold there). The factorisation, most of a small image's solve,
// runs in WebAssembly when the arrays are in the arena's memory (wasm/envelope-cholesky.wat), else in JS:
// the same bits, since both sum each dot product as two interleaved sums (downDot).
import { Arena } from './arena.js';
import type { GridLevel } from './grid-level.js';
import { envelopeLoops, type EnvelopeLoops } from './wasm/solve-loops.js';

/** The lower Cholesky factor L (A = L L^T) of a level's operator, kept over each row's envelope. */
export class EnvelopeCholesky {
  /** first[u]: the lowest column of row u inside the envelope. */
  readonly #first: Int32Array;
  /** Row u's entries, columns first[u]..u, start at start[u] (the last is the diagonal). */
  readonly #start: Int32Array;
  readonly #values: Float64Array;
  /** One channel's intermediate solution in unknown order (reused: a V-cycle solves once per cycle). */
  readonly #y: Float64Array;
  /** The WebAssembly loops, when the factor's arrays are in the arena's memory (then solve uses them on vectors there too). */
  readonly #loops: EnvelopeLoops | undefined;

  /**
   * `arena`: where the factor and its work vector are kept (until its next rewind); `first`: the
   * level's envelope starts when the caller has them ({@link startsWithin}), else found here.
   */
  constructor(
    readonly level: GridLevel,
    arena = new Arena(),
    first?: Int32Array,
  ) {
    const { count } = level;
    this.#first = first ?? EnvelopeCholesky.startsWithin(level, Infinity, arena)!;
    this.#start = arena.int32(count + 1);
    for (let u = 0; u < count; u++) this.#start[u + 1] = this.#start[u]! + u - this.#first[u]! + 1;
    this.#values = arena.float64(this.#start[count]!);
    this.#y = arena.float64(count);
    this.#scatterOperator();
    const loops = envelopeLoops(arena.memory);
    this.#loops = loops?.holds(this.#first, this.#start, this.#values, this.#y, level.at) ? loops : undefined;
    if (this.#loops) this.#loops.exports.factorEnvelope(this.#first.byteOffset, this.#start.byteOffset, this.#values.byteOffset, count);
    else this.#factor();
  }

  /**
   * Each unknown's envelope start (an array of `arena`, for the constructor) when the factorisation's
   * multiply-adds (the sum over rows of the envelope width squared, halved) are at most `limit`, else
   * undefined, reading rows only until they exceed it: on a large image the first rows with unknowns
   * settle it (their widths are about the image's).
   */
  static startsWithin(level: GridLevel, limit: number, arena: Arena): Int32Array | undefined {
    const first = arena.int32(level.count);
    return walkEnvelope(level, limit, first) ? first : undefined;
  }

  /** x = A^-1 b for the level's k channels (vectors of the level; x's entries off the unknowns are left as they are). */
  solve(b: Float64Array, x: Float64Array): void {
    const { count, at, k } = this.level;
    const first = this.#first;
    const start = this.#start;
    const l = this.#values;
    const y = this.#y;
    if (this.#loops?.holds(b, x)) {
      return this.#loops.exports.solveEnvelope(
        first.byteOffset,
        start.byteOffset,
        l.byteOffset,
        count,
        at.byteOffset,
        k,
        b.byteOffset,
        x.byteOffset,
        y.byteOffset,
      );
    }
    for (let c = 0; c < k; c++) {
      // L y = b, row by row.
      for (let u = 0; u < count; u++) {
        const row = start[u]! - first[u]!;
        y[u] = downDot(b[at[u]! + c]!, l, row, y, 0, first[u]!, u) / l[row + u]!;
      }
      // L^T x = y, from the last row up: row u's entries are column u of L^T.
      for (let u = count - 1; u >= 0; u--) {
        const row = start[u]! - first[u]!;
        const value = y[u]! / l[row + u]!;
        y[u] = value;
        for (let v = first[u]!; v < u; v++) y[v] = y[v]! - l[row + v]! * value;
      }
      for (let u = 0; u < count; u++) x[at[u]! + c] = y[u]!;
    }
  }

  /** The operator's lower triangle into the envelope: the diagonal and the 4 earlier neighbours. */
  #scatterOperator(): void {
    const { shape, stencil } = this.level;
    const { height, width, unknownAt } = shape;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const u = unknownAt[y * width + x]!;
        if (u < 0) continue;
        const row = this.#start[u]! - this.#first[u]!;
        this.#values[row + u] = stencil[u * 9 + 4]!;
        for (let slot = 0; slot < 4; slot++) {
          const v = earlierNeighbour(this.level, y, x, slot);
          if (v >= 0) this.#values[row + v] = stencil[u * 9 + slot]!;
        }
      }
    }
  }

  /** In place, row by row: L[u][v] = (A[u][v] - sum_p L[u][p] L[v][p]) / L[v][v], p over both envelopes. */
  #factor(): void {
    const first = this.#first;
    const start = this.#start;
    const l = this.#values;
    for (let u = 0; u < this.level.count; u++) {
      const row = start[u]! - first[u]!;
      for (let v = first[u]!; v < u; v++) {
        const other = start[v]! - first[v]!;
        l[row + v] = downDot(l[row + v]!, l, row, l, other, Math.max(first[u]!, first[v]!), v) / l[other + v]!;
      }
      l[row + u] = Math.sqrt(downDot(l[row + u]!, l, row, l, row, first[u]!, u));
    }
  }
}

/**
 * initial - sum over p in [from, to) of u[a + p] v[b + p], summed as two interleaved sums (the
 * first starting at `initial` with the terms from, from + 2, ..., the second at 0 with from + 1,
 * from + 3, ...) added at the end: as the WebAssembly loops' f64x2 lanes, so both give the same
 * bits.
 */
function downDot(initial: number, u: Float64Array, a: number, v: Float64Array, b: number, from: number, to: number): number {
  let even = initial;
  let odd = 0;
  let p = from;
  for (; p + 1 < to; p += 2) {
    even -= u[a + p]! * v[b + p]!;
    odd -= u[a + p + 1]! * v[b + p + 1]!;
  }
  if (p < to) even -= u[a + p]! * v[b + p]!;
  return even + odd;
}

/**
 * Sums the factorisation's work row by row until it exceeds `limit` (see startsWithin), writing each
 * unknown's envelope start ({@link envelopeStart}) to `first`; whether it stayed within.
 */
function walkEnvelope(level: GridLevel, limit: number, first: Int32Array): boolean {
  const { height, width, unknownAt } = level.shape;
  let work = 0;
  for (let y = 0; y < height && work <= limit; y++) {
    for (let x = 0; x < width; x++) {
      const u = unknownAt[y * width + x]!;
      if (u < 0) continue;
      const lowest = envelopeStart(level, y, x, u);
      first[u] = lowest;
      work += (u - lowest) ** 2 / 2;
    }
  }
  return work <= limit;
}

/** Unknown u's (at cell (y, x)) lowest neighbouring unknown, or u when none comes before it. */
function envelopeStart(level: GridLevel, y: number, x: number, u: number): number {
  let lowest = u;
  for (let slot = 0; slot < 4; slot++) {
    const v = earlierNeighbour(level, y, x, slot);
    if (v >= 0 && v < lowest) lowest = v;
  }
  return lowest;
}

/**
 * The unknown at stencil slot `slot` (0-3: the row above, then the left one) of cell (y, x), or -1
 * (no unknown there, or outside the grid). Called in plain loops: a callback per neighbour cost
 * ~10% of a 28x28 solve.
 */
function earlierNeighbour(level: GridLevel, y: number, x: number, slot: number): number {
  const { height, width, unknownAt } = level.shape;
  const yy = slot < 3 ? y - 1 : y;
  const xx = x + (slot % 3) - 1;
  return yy < 0 || yy >= height || xx < 0 || xx >= width ? -1 : unknownAt[yy * width + xx]!;
}
