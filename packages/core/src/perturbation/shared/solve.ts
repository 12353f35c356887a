// SPDX-License-Identifier: Apache-2.0

/**
 * Solves the symmetric positive (semi-)definite system A x = b (A is n x n, row-major, f64) by
 * Cholesky; when A is singular or nearly so, by the pseudo-inverse route of shap (least-norm
 * solution) via a tiny Tikhonov term relative to A's diagonal, reported in `regularized`.
 */
export function solveSymmetric(a: Float64Array, b: Float64Array, n: number): { x: Float64Array; regularized: boolean } {
  const trace = Array.from({ length: n }, (_, i) => a[i * n + i]!).reduce((s, v) => s + Math.abs(v), 0);
  for (const [ridge, regularized] of [
    [0, false],
    [1e-10 * (trace / Math.max(1, n) || 1), true],
    [1e-7 * (trace / Math.max(1, n) || 1), true],
  ] as const) {
    const x = cholesky(a, b, n, ridge);
    if (x) return { x, regularized };
  }
  return { x: new Float64Array(n), regularized: true };
}

function cholesky(a: Float64Array, b: Float64Array, n: number, ridge: number): Float64Array | undefined {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]! + (i === j ? ridge : 0);
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(s > 1e-12 * Math.max(1, Math.abs(a[i * n + i]!)))) return undefined;
        l[i * n + i] = Math.sqrt(s);
      } else {
        l[i * n + j] = s / l[j * n + j]!;
      }
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * y[k]!;
    y[i] = s / l[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * x[k]!;
    x[i] = s / l[i * n + i]!;
  }
  return x;
}
