// SPDX-License-Identifier: Apache-2.0
import type { DirectMatmulActivation } from './direct-matmul.kernel.js';

/**
 * Shape of a batched matrix product out [batch, rows, cols] = A [.., rows, inner] x B [.., inner,
 * cols]: `a` holds aBatches matrices [rows, inner] ([inner, rows] when transposeA), `b` holds
 * bBatches matrices [inner, cols] ([cols, inner] when transposeB); matrix b of the output uses
 * A's matrix b % aBatches and B's matrix b % bBatches (one matrix broadcast over the batch).
 */
export interface DirectMatmulShape {
  readonly batch: number;
  readonly rows: number;
  readonly cols: number;
  readonly inner: number;
  readonly aBatches: number;
  readonly bBatches: number;
  readonly transposeA: boolean;
  readonly transposeB: boolean;
}

/** The activations the direct matmul fuses (tfjs's definitions); `alpha` is leaky relu's slope. */
export function matmulActivationRef(v: number, activation: DirectMatmulActivation, alpha = 0): number {
  switch (activation) {
    case 'relu':
      return Math.max(v, 0);
    case 'relu6':
      return Math.min(Math.max(v, 0), 6);
    case 'sigmoid':
      return 1 / (1 + Math.exp(-v));
    case 'elu':
      return v >= 0 ? v : Math.exp(v) - 1;
    case 'leakyrelu':
      return v < 0 ? alpha * v : v;
    default:
      return v;
  }
}

/**
 * out[b, r, c] = act(bias[c] + sum over k of A(b, r, k) * B(b, k, c)), summed in f64.
 * Returns the output [batch, rows, cols].
 */
export function directMatmulRef(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  s: DirectMatmulShape,
  bias?: ArrayLike<number>,
  activation: DirectMatmulActivation = 'linear',
  alpha = 0,
): Float64Array {
  const aAt = (m: number, r: number, k: number) => a[m * s.rows * s.inner + (s.transposeA ? k * s.rows + r : r * s.inner + k)]!;
  const bAt = (m: number, k: number, c: number) => b[m * s.inner * s.cols + (s.transposeB ? c * s.inner + k : k * s.cols + c)]!;
  const out = new Float64Array(s.batch * s.rows * s.cols);
  for (let m = 0; m < s.batch; m++) {
    for (let r = 0; r < s.rows; r++) {
      for (let c = 0; c < s.cols; c++) {
        let sum = 0;
        for (let k = 0; k < s.inner; k++) sum += aAt(m % s.aBatches, r, k) * bAt(m % s.bBatches, k, c);
        out[(m * s.rows + r) * s.cols + c] = matmulActivationRef(sum + (bias ? bias[c]! : 0), activation, alpha);
      }
    }
  }
  return out;
}
