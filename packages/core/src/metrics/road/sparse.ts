// SPDX-License-Identifier: Apache-2.0
// Compressed sparse rows: just what the imputation's multigrid needs (products, transposes, and
// operators on `k` right-hand sides stored interleaved: value j of column c at j * k + c).

/** A sparse matrix in compressed sparse row form. */
export interface Csr {
  readonly rows: number;
  readonly cols: number;
  /** Row i's entries are start[i] .. start[i + 1] - 1. */
  readonly start: Int32Array;
  readonly index: Int32Array;
  readonly value: Float64Array;
}

/** The transpose of `m`. */
export function transpose(m: Csr): Csr {
  const nnz = m.start[m.rows]!;
  const start = new Int32Array(m.cols + 1);
  for (let e = 0; e < nnz; e++) start[m.index[e]! + 1]!++;
  for (let j = 0; j < m.cols; j++) start[j + 1]! += start[j]!;
  const next = start.slice(0, m.cols);
  const index = new Int32Array(nnz);
  const value = new Float64Array(nnz);
  for (let i = 0; i < m.rows; i++) {
    for (let e = m.start[i]!; e < m.start[i + 1]!; e++) {
      const at = next[m.index[e]!]!++;
      index[at] = i;
      value[at] = m.value[e]!;
    }
  }
  return { rows: m.cols, cols: m.rows, start, index, value };
}

/** a * b (Gustavson's row-by-row product: a symbolic pass sizes the result, a numeric pass fills it). */
export function multiply(a: Csr, b: Csr): Csr {
  const marker = new Int32Array(b.cols).fill(-1);
  const start = new Int32Array(a.rows + 1);
  for (let i = 0; i < a.rows; i++) {
    let count = 0;
    for (let e = a.start[i]!; e < a.start[i + 1]!; e++) {
      const k = a.index[e]!;
      for (let f = b.start[k]!; f < b.start[k + 1]!; f++) {
        const j = b.index[f]!;
        if (marker[j] !== i) {
          marker[j] = i;
          count++;
        }
      }
    }
    start[i + 1] = start[i]! + count;
  }
  const index = new Int32Array(start[a.rows]!);
  const value = new Float64Array(start[a.rows]!);
  const slot = new Int32Array(b.cols).fill(-1);
  for (let i = 0; i < a.rows; i++) {
    let end = start[i]!;
    for (let e = a.start[i]!; e < a.start[i + 1]!; e++) {
      const k = a.index[e]!;
      const w = a.value[e]!;
      for (let f = b.start[k]!; f < b.start[k + 1]!; f++) {
        const j = b.index[f]!;
        if (slot[j]! < start[i]!) {
          slot[j] = end;
          index[end++] = j;
        }
        value[slot[j]!]! += w * b.value[f]!;
      }
    }
  }
  return { rows: a.rows, cols: b.cols, start, index, value };
}

/** out = m x for `k` interleaved columns (out has m.rows * k values, x has m.cols * k). */
export function multiplyVectors(m: Csr, x: Float64Array, out: Float64Array, k: number): void {
  out.fill(0, 0, m.rows * k);
  addProduct(m, x, out, k);
}

/** out += m x for `k` interleaved columns. */
export function addProduct(m: Csr, x: Float64Array, out: Float64Array, k: number): void {
  for (let i = 0; i < m.rows; i++) {
    for (let e = m.start[i]!; e < m.start[i + 1]!; e++) {
      const w = m.value[e]!;
      const j = m.index[e]! * k;
      for (let c = 0; c < k; c++) out[i * k + c]! += w * x[j + c]!;
    }
  }
}

/** The diagonal of a square matrix (0 where a row stores none). */
export function diagonalOf(m: Csr): Float64Array {
  const d = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) for (let e = m.start[i]!; e < m.start[i + 1]!; e++) if (m.index[e] === i) d[i] = d[i]! + m.value[e]!;
  return d;
}
