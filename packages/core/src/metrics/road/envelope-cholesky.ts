// SPDX-License-Identifier: Apache-2.0
// A direct solve of a GridLevel's system (small images; the multigrid's coarsest level): the
// Cholesky factor of the operator in envelope (skyline) storage. Unknowns are numbered row-major, so row u's nonzeros start at its
// first neighbour in the row above: the envelope is about one image row of unknowns wide, and the
// factor fills it in and nothing outside it. Work: the sum over rows of the envelope width squared,
// a few loops that a JIT compiles at once (a page calls ROAD a handful of times; the multigrid's
// many small functions are still cold there).
import { Arena } from './arena.js';
import type { GridLevel } from './grid-level.js';

/** The lower Cholesky factor L (A = L L^T) of a level's operator, kept over each row's envelope. */
export class EnvelopeCholesky {
  /** first[u]: the lowest column of row u inside the envelope. */
  readonly #first: Int32Array;
  /** Row u's entries, columns first[u]..u, start at start[u] (the last is the diagonal). */
  readonly #start: Int32Array;
  readonly #values: Float64Array;
  /** One channel's intermediate solution in unknown order (reused: a V-cycle solves once per cycle). */
  readonly #y: Float64Array;

  /** `arena`: where the factor and its work vector are kept (until its next rewind). */
  constructor(
    readonly level: GridLevel,
    arena = new Arena(),
  ) {
    const { count } = level;
    this.#first = envelopeStarts(level, arena);
    this.#start = arena.int32(count + 1);
    for (let u = 0; u < count; u++) this.#start[u + 1] = this.#start[u]! + u - this.#first[u]! + 1;
    this.#values = arena.float64(this.#start[count]!);
    this.#y = arena.float64(count);
    this.#scatterOperator();
    this.#factor();
  }

  /**
   * Whether the factorisation's multiply-adds (the sum over rows of the envelope width squared,
   * halved) are at most `limit`, reading rows only until they exceed it: on a large image the first
   * rows with unknowns settle it (their widths are about the image's).
   */
  static workWithin(level: GridLevel, limit: number): boolean {
    const { height, width, unknownAt } = level.shape;
    let work = 0;
    for (let y = 0; y < height && work <= limit; y++) {
      for (let x = 0; x < width; x++) {
        const u = unknownAt[y * width + x]!;
        if (u >= 0) work += (u - envelopeStart(level, y, x, u)) ** 2 / 2;
      }
    }
    return work <= limit;
  }

  /** x = A^-1 b for the level's k channels (vectors of the level; x's entries off the unknowns are left as they are). */
  solve(b: Float64Array, x: Float64Array): void {
    const { count, at, k } = this.level;
    const first = this.#first;
    const start = this.#start;
    const l = this.#values;
    const y = this.#y;
    for (let c = 0; c < k; c++) {
      // L y = b, row by row.
      for (let u = 0; u < count; u++) {
        const row = start[u]! - first[u]!;
        let s = b[at[u]! + c]!;
        for (let v = first[u]!; v < u; v++) s -= l[row + v]! * y[v]!;
        y[u] = s / l[row + u]!;
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
        forEachEarlierNeighbour(this.level, y, x, (v, slot) => (this.#values[row + v] = stencil[u * 9 + slot]!));
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
        let s = l[row + v]!;
        for (let p = Math.max(first[u]!, first[v]!); p < v; p++) s -= l[row + p]! * l[other + p]!;
        l[row + v] = s / l[other + v]!;
      }
      let d = l[row + u]!;
      for (let p = first[u]!; p < u; p++) d -= l[row + p]! ** 2;
      l[row + u] = Math.sqrt(d);
    }
  }
}

/** Each unknown's envelope start ({@link envelopeStart}). */
function envelopeStarts(level: GridLevel, arena: Arena): Int32Array {
  const { height, width, unknownAt } = level.shape;
  const first = arena.int32(level.count);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = unknownAt[y * width + x]!;
      if (u >= 0) first[u] = envelopeStart(level, y, x, u);
    }
  }
  return first;
}

/** Unknown u's (at cell (y, x)) lowest neighbouring unknown, or u when none comes before it. */
function envelopeStart(level: GridLevel, y: number, x: number, u: number): number {
  let lowest = u;
  forEachEarlierNeighbour(level, y, x, (v) => (lowest = Math.min(lowest, v)));
  return lowest;
}

/** Calls `visit(v, slot)` for each unknown v among cell (y, x)'s 4 neighbours before it (the row above, then the left one). */
function forEachEarlierNeighbour(level: GridLevel, y: number, x: number, visit: (v: number, slot: number) => void): void {
  const { height, width, unknownAt } = level.shape;
  for (let slot = 0; slot < 4; slot++) {
    const yy = y + Math.floor(slot / 3) - 1;
    const xx = x + (slot % 3) - 1;
    if (yy < 0 || yy >= height || xx < 0 || xx >= width) continue;
    const v = unknownAt[yy * width + xx]!;
    if (v >= 0) visit(v, slot);
  }
}
