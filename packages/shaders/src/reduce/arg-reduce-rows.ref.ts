// SPDX-License-Identifier: Apache-2.0
import type { ArgReduceOp } from './arg-reduce-rows.kernel.js';

/**
 * CPU reference for arg-reduce-rows.wgsl (and the explicit CPU path), numpy semantics: per row the
 * index of the first maximum (argmax) or minimum (argmin); a NaN counts as the extreme, so the
 * first NaN of a row wins.
 *
 * @example argReduceRowsRef('argmax', [1, 5, 5, 3, 0, NaN], 2, 3) // Uint32Array [1, 2]
 */
export function argReduceRowsRef(op: ArgReduceOp, input: ArrayLike<number>, rows: number, rowLength: number): Uint32Array<ArrayBuffer> {
  const out = new Uint32Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * rowLength;
    let best = 0;
    for (let i = 1; i < rowLength; i++) {
      const v = input[base + i]!;
      const w = input[base + best]!;
      if (Number.isNaN(w)) break; // the first NaN is final
      if (Number.isNaN(v) || (op === 'argmax' ? v > w : v < w)) best = i;
    }
    out[r] = best;
  }
  return out;
}
