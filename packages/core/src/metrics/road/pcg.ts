// SPDX-License-Identifier: Apache-2.0
import type { LevelOperator } from './multigrid.js';

/** Options of {@link preconditionedConjugateGradients}. */
export interface PcgOptions {
  /** Stop when every column's residual is at most this times its right-hand side's norm. */
  readonly tolerance: number;
  /** z = M^-1 r for a symmetric positive-definite M (interleaved like the vectors). */
  readonly precondition: (r: Float64Array, z: Float64Array) => void;
  /** Iteration cap; conjugate gradients in exact arithmetic needs at most A.rows. */
  readonly maxIterations?: number;
}

/**
 * Solves A X = B for a symmetric positive-definite A and `k` right-hand sides stored interleaved,
 * as k independent preconditioned conjugate-gradient recurrences run in lockstep (each matrix
 * entry is read once per iteration for all of them). `x` holds the start on entry (zeros, or a
 * previous solution) and the solution on return. Returns the iterations taken.
 */
export function preconditionedConjugateGradients(
  a: Pick<LevelOperator, 'rows' | 'multiply'>,
  b: Float64Array,
  x: Float64Array,
  k: number,
  options: PcgOptions,
): number {
  const size = a.rows * k;
  const [r, z, p, q] = [new Float64Array(size), new Float64Array(size), new Float64Array(size), new Float64Array(size)];
  a.multiply(x, q);
  for (let i = 0; i < size; i++) r[i] = b[i]! - q[i]!;
  const limit = columnDots(b, b, k).map((bb) => options.tolerance ** 2 * Math.max(bb, 1e-300));
  const converged = () => columnDots(r, r, k).every((rr, c) => rr <= limit[c]!);
  if (converged()) return 0;
  options.precondition(r, z);
  p.set(z);
  let rz = columnDots(r, z, k);
  const cap = options.maxIterations ?? 10 * a.rows + 100;
  for (let iteration = 1; iteration <= cap; iteration++) {
    a.multiply(p, q);
    const pq = columnDots(p, q, k);
    const alpha = rz.map((v, c) => (pq[c]! > 0 ? v / pq[c]! : 0));
    for (let j = 0; j < size; j += k) {
      for (let c = 0; c < k; c++) {
        x[j + c] = x[j + c]! + alpha[c]! * p[j + c]!;
        r[j + c] = r[j + c]! - alpha[c]! * q[j + c]!;
      }
    }
    if (converged()) return iteration;
    options.precondition(r, z);
    const next = columnDots(r, z, k);
    const beta = next.map((v, c) => (rz[c]! > 0 ? v / rz[c]! : 0));
    rz = next;
    for (let j = 0; j < size; j += k) for (let c = 0; c < k; c++) p[j + c] = z[j + c]! + beta[c]! * p[j + c]!;
  }
  return cap;
}

/** Per column c: sum over rows of u[j * k + c] * v[j * k + c]. */
function columnDots(u: Float64Array, v: Float64Array, k: number): number[] {
  const sums = new Float64Array(k);
  for (let j = 0; j < u.length; j += k) for (let c = 0; c < k; c++) sums[c]! += u[j + c]! * v[j + c]!;
  return Array.from(sums);
}
