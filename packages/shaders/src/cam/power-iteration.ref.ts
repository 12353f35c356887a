// SPDX-License-Identifier: Apache-2.0
import { ShapeMismatchError } from '../runtime/errors.js';
import { POWER_ITERATION_DEFAULTS } from './power-iteration.kernel.js';

/** lowbias32 (C. Wellons), as in power-iteration.wgsl. */
function hash(x0: number): number {
  let x = x0 >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

/** The kernel's start vector entry i, in [-0.5, 0.5). */
export function powerIterationStart(i: number): number {
  return (hash(i + 1) >>> 8) / 16777216 - 0.5;
}

/**
 * CPU reference for power-iteration.wgsl (f64 inside, same start vector and stopping rule):
 * leading eigenvector (`[images, size]`, sign so that v . signs >= 0) and eigenvalue of each
 * symmetric PSD `size x size` matrix. Also the explicit CPU path.
 */
export function powerIterationRef(
  matrices: ArrayLike<number>,
  signs: ArrayLike<number>,
  shape: { readonly images: number; readonly size: number },
  stopping: { readonly iterations: number; readonly tolerance: number } = POWER_ITERATION_DEFAULTS,
): { vectors: Float32Array<ArrayBuffer>; values: Float32Array<ArrayBuffer> } {
  const { images, size: d } = shape;
  if (matrices.length < images * d * d || signs.length < images * d) {
    throw new ShapeMismatchError(
      `powerIterationRef: need ${images * d * d} matrix and ${images * d} sign values, got ${matrices.length} and ${signs.length}`,
    );
  }
  const vectors = new Float32Array(images * d);
  const values = new Float32Array(images);
  const multiply = (base: number, v: Float64Array) => {
    const y = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += matrices[base + i * d + j]! * v[j]!;
      y[i] = s;
    }
    return y;
  };
  for (let n = 0; n < images; n++) {
    const base = n * d * d;
    let v = Float64Array.from({ length: d }, (_, i) => powerIterationStart(i));
    const start = Math.hypot(...v);
    v = v.map((x) => x / start);
    for (let it = 0; it < stopping.iterations; it++) {
      const y = multiply(base, v);
      const norm = Math.sqrt(y.reduce((a, b) => a + b * b, 0));
      if (norm === 0) break;
      let change = 0;
      for (let i = 0; i < d; i++) {
        const next = y[i]! / norm;
        change = Math.max(change, Math.abs(next - v[i]!));
        v[i] = next;
      }
      if (change < stopping.tolerance) break;
    }
    const y = multiply(base, v);
    let value = 0;
    let agreement = 0;
    for (let i = 0; i < d; i++) {
      value += v[i]! * y[i]!;
      agreement += v[i]! * signs[n * d + i]!;
    }
    const sign = agreement < 0 ? -1 : 1;
    for (let i = 0; i < d; i++) vectors[n * d + i] = sign * v[i]!;
    values[n] = value;
  }
  return { vectors, values };
}
