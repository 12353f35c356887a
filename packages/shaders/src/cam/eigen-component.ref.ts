// SPDX-License-Identifier: Apache-2.0
import { ShapeMismatchError } from '../runtime/errors.js';
import { EIGEN_COMPONENT_STOPPING, type EigenSign } from './eigen-component.kernel.js';

/** lowbias32 (C. Wellons), as in eigen-component.wgsl. */
function hash(x0: number): number {
  let x = x0 >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

/** The kernel's start vector entry i, in [-0.5, 0.5) (startValue in eigen-component.wgsl). */
function startValue(i: number): number {
  return (hash(i + 1) >>> 8) / 16777216 - 0.5;
}

/** A batch of NHWC activations, flattened to `[images, positions, channels]`. */
export interface EigenComponentShape {
  readonly images: number;
  readonly positions: number;
  readonly channels: number;
}

type Stopping = { readonly iterations: number; readonly tolerance: number };

/** One image's centred activations `[positions][channels]`, f64. */
function centredImage(act: ArrayLike<number>, first: number, P: number, K: number): Float64Array[] {
  const means = new Float64Array(K);
  for (let p = 0; p < P; p++) for (let k = 0; k < K; k++) means[k]! += act[first + p * K + k]!;
  return Array.from({ length: P }, (_, p) => Float64Array.from({ length: K }, (_, k) => act[first + p * K + k]! - means[k]! / P));
}

/** c c^T (over positions) or c^T c, row-major; `finite` false when an entry is NaN, Inf or beyond f32's range. */
function gramMatrix(c: Float64Array[], overPositions: boolean): { matrix: Float64Array; d: number; finite: boolean } {
  const P = c.length;
  const K = c[0]?.length ?? 0;
  const d = overPositions ? P : K;
  const matrix = new Float64Array(d * d);
  let finite = true;
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      let s = 0;
      if (overPositions) for (let k = 0; k < K; k++) s += c[i]![k]! * c[j]![k]!;
      else for (let p = 0; p < P; p++) s += c[p]![i]! * c[p]![j]!;
      // The kernel's f32 sum overflows to Inf where this one passes f32's range.
      finite &&= Number.isFinite(Math.fround(s));
      matrix[i * d + j] = matrix[j * d + i] = s;
    }
  }
  return { matrix, d, finite };
}

/**
 * The kernel's shifted power iteration (same start vector, shift rule and stopping rule; see iterate
 * in eigen-component.wgsl): M's leading unit eigenvector and its value v^T M v.
 */
function leadingEigenpair(matrix: Float64Array, d: number, stopping: Stopping): { vector: Float64Array; value: number } {
  const multiply = (v: Float64Array, shift: number) =>
    Float64Array.from({ length: d }, (_, i) => {
      let s = 0;
      for (let j = 0; j < d; j++) s += matrix[i * d + j]! * v[j]!;
      return s - shift * v[i]!;
    });
  let v = Float64Array.from({ length: d }, (_, i) => startValue(i));
  const start = Math.hypot(...v);
  v = v.map((x) => x / start);
  let shift = 0;
  // The largest changes of the last two updates (0 before there is one).
  let latest = 0;
  let previous = 0;
  for (let it = 0; it < stopping.iterations; it++) {
    const y = multiply(v, shift);
    const norm = Math.sqrt(y.reduce((a, b) => a + b * b, 0));
    if (!(norm > 0)) break;
    // Half an estimate of lambda_2, at most 0.45 of the estimate norm + shift of lambda_1.
    if (previous > 0) shift = Math.min(0.5 * (shift + Math.min(latest / previous, 1) * norm), 0.45 * (shift + norm));
    previous = latest;
    let change = 0;
    for (let i = 0; i < d; i++) {
      const next = y[i]! / norm;
      change = Math.max(change, Math.abs(next - v[i]!));
      v[i] = next;
    }
    latest = change;
    if (change < stopping.tolerance) break;
  }
  const y = multiply(v, 0);
  return { vector: v, value: v.reduce((a, x, i) => a + x * y[i]!, 0) };
}

/** One finite image's projection onto its first principal component, with the kernel's sign. */
function projectImage(c: Float64Array[], gram: { matrix: Float64Array; d: number }, stopping: Stopping): Float64Array {
  const { matrix, d } = gram;
  const overPositions = c.length <= (c[0]?.length ?? 0); // P <= K, as gramMatrix chose
  const { vector, value } = leadingEigenpair(matrix, d, stopping);
  // Signs: c's row sums over positions, else ones; the projection then correlates positively with the channel sum.
  const signs = overPositions ? c.map((row) => row.reduce((a, b) => a + b, 0)) : new Array<number>(d).fill(1);
  const sign = vector.reduce((a, x, i) => a + x * signs[i]!, 0) < 0 ? -1 : 1;
  if (overPositions) return vector.map((x) => sign * Math.sqrt(Math.max(value, 0)) * x);
  return Float64Array.from(c, (row) => sign * row.reduce((a, x, k) => a + x * vector[k]!, 0));
}

/**
 * CPU reference for eigen-component.wgsl (f64 inside, same start vector, shift and stopping rule) and the
 * explicit CPU path: each image's projection onto the first principal component of its centred
 * activations (`[images, positions]`, sign so that it correlates positively with the centred channel
 * sum) and its mark (`[images]`: 1, or NaN when its Gram matrix holds a NaN or Inf or leaves f32's
 * range, as the kernel's f32 sums would; that image's projection is then NaN).
 */
export function eigenComponentRef(
  act: ArrayLike<number>,
  shape: EigenComponentShape,
  stopping: Stopping = EIGEN_COMPONENT_STOPPING,
): { projection: Float32Array<ArrayBuffer>; unit: Float32Array<ArrayBuffer> } {
  const { images, positions: P, channels: K } = shape;
  if (act.length < images * P * K) {
    throw new ShapeMismatchError(`eigenComponentRef: need ${images * P * K} activation values, got ${act.length}`);
  }
  const projection = new Float32Array(images * P);
  const unit = new Float32Array(images);
  for (let n = 0; n < images; n++) {
    const c = centredImage(act, n * P * K, P, K);
    const gram = gramMatrix(c, P <= K);
    unit[n] = gram.finite ? 1 : NaN;
    projection.set(gram.finite ? projectImage(c, gram, stopping) : new Float32Array(P).fill(NaN), n * P);
  }
  return { projection, unit };
}

/**
 * Applies sign convention `sign` to projections `[images, positions]` that follow 'channel-sum'
 * (eigenComponentRef's, the kernel's SIGN = 0), as eigen-component.wgsl does before its epilogue:
 * 'negative-channel-sum' negates them; 'max-abs' makes each image's largest-|value| entry positive
 * (the first such position on ties). Returns a new array.
 */
export function signConventionRef(projection: Float32Array<ArrayBuffer>, positions: number, sign: EigenSign): Float32Array<ArrayBuffer> {
  const out = projection.slice();
  for (let at = 0; at < out.length; at += positions) {
    const image = out.subarray(at, at + positions);
    let peak = 0;
    for (let p = 1; p < positions; p++) if (Math.abs(image[p]!) > Math.abs(image[peak]!)) peak = p;
    const flip = sign === 'negative-channel-sum' || (sign === 'max-abs' && image[peak]! < 0);
    if (flip) for (let p = 0; p < positions; p++) image[p] = -image[p]!;
  }
  return out;
}
