// SPDX-License-Identifier: Apache-2.0
import type { ReduceOp } from './reduce-rows.kernel.js';

/**
 * CPU reference for reduce-rows.wgsl (and the explicit CPU path): one value per row, accumulated
 * in f64 and rounded to f32 once. NaN semantics match the GPU: any NaN in a row makes min/max NaN;
 * sums follow IEEE (NaN, or +Inf with -Inf, give NaN).
 *
 * @example reduceRowsRef('max', [1, 5, -2, 3], 2, 2) // Float32Array [5, 3]
 */
export function reduceRowsRef(op: ReduceOp, input: ArrayLike<number>, rows: number, rowLength: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * rowLength;
    let acc = op === 'min' ? Infinity : op === 'max' ? -Infinity : 0;
    for (let i = 0; i < rowLength; i++) {
      const x = input[base + i]!;
      if (op === 'sum') acc += x;
      else if (op === 'sumsq') acc += x * x;
      else if (Number.isNaN(x) || Number.isNaN(acc)) acc = NaN;
      else acc = op === 'min' ? Math.min(acc, x) : Math.max(acc, x);
    }
    out[r] = acc;
  }
  return out;
}
