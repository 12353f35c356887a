// SPDX-License-Identifier: Apache-2.0
import { normalRef } from '@webxai/shaders';

/** ROAD's neighbour weights: 1/6 for the 4 edge neighbours, 1/12 for the 4 diagonal ones (sum 1). */
const NEIGHBOURS: readonly (readonly [dy: number, dx: number, weight: number])[] = [
  [-1, 0, 1 / 6],
  [1, 0, 1 / 6],
  [0, -1, 1 / 6],
  [0, 1, 1 / 6],
  [-1, -1, 1 / 12],
  [-1, 1, 1 / 12],
  [1, -1, 1 / 12],
  [1, 1, 1 / 12],
];

/** Options of {@link noisyLinearImpute}. */
export interface ImputeOptions {
  /** Std of the Gaussian noise added to imputed values (ROAD's default 0.01). */
  readonly noise: number;
  readonly seed: number;
  /** Offset into the seed's normal stream (distinct per image and step). */
  readonly streamOffset: number;
  /** Conjugate-gradient stopping rule: relative residual. */
  readonly tolerance?: number;
}

/**
 * ROAD's noisy linear imputation (Rong et al. 2022, "A Consistent and Efficient Evaluation Strategy
 * for Attribution Methods", ICML): every removed pixel p takes, per channel, the weighted mean of its
 * in-image 8-neighbours (weights above, renormalised by their sum W_p at borders), removed neighbours
 * included, i.e. the solution of  W_p x_p - sum_{q removed} w_pq x_q = sum_{q kept} w_pq v_q  over all
 * removed p (a symmetric positive-definite system whenever some pixel is kept, solved by conjugate
 * gradients in f64), plus N(0, noise^2) noise. Kept pixels are unchanged. Returns a new HWC image.
 */
export function noisyLinearImpute(
  image: Float32Array,
  removed: Uint8Array,
  height: number,
  width: number,
  channels: number,
  options: ImputeOptions,
): Float32Array {
  const pixels = height * width;
  const unknown = new Int32Array(pixels).fill(-1);
  const list: number[] = [];
  for (let p = 0; p < pixels; p++) if (removed[p]) unknown[p] = list.push(p) - 1;
  const out = Float32Array.from(image);
  if (list.length === 0) return out;
  // Per unknown: W_p, and its neighbours as (pixel, weight).
  const diag = new Float64Array(list.length);
  const nbrPixel: number[][] = [];
  const nbrWeight: number[][] = [];
  list.forEach((p, u) => {
    const [y, x] = [Math.floor(p / width), p % width];
    const ps: number[] = [];
    const ws: number[] = [];
    for (const [dy, dx, wgt] of NEIGHBOURS) {
      const [yy, xx] = [y + dy, x + dx];
      if (yy < 0 || yy >= height || xx < 0 || xx >= width) continue;
      ps.push(yy * width + xx);
      ws.push(wgt);
      diag[u] = diag[u]! + wgt;
    }
    nbrPixel.push(ps);
    nbrWeight.push(ws);
  });
  const apply = (v: Float64Array, result: Float64Array) => {
    for (let u = 0; u < list.length; u++) {
      let s = diag[u]! * v[u]!;
      const ps = nbrPixel[u]!;
      for (let k = 0; k < ps.length; k++) {
        const q = unknown[ps[k]!]!;
        if (q >= 0) s -= nbrWeight[u]![k]! * v[q]!;
      }
      result[u] = s;
    }
  };
  const noise = normalRef(options.seed, options.streamOffset, list.length * channels, 0, options.noise);
  for (let c = 0; c < channels; c++) {
    const b = new Float64Array(list.length);
    for (let u = 0; u < list.length; u++) {
      const ps = nbrPixel[u]!;
      for (let k = 0; k < ps.length; k++) if (unknown[ps[k]!]! < 0) b[u] = b[u]! + nbrWeight[u]![k]! * image[ps[k]! * channels + c]!;
    }
    const x = conjugateGradient(apply, b, options.tolerance ?? 1e-8);
    for (let u = 0; u < list.length; u++) out[list[u]! * channels + c] = x[u]! + noise[u * channels + c]!;
  }
  return out;
}

/** Solves A x = b for a symmetric positive-definite A given as a matrix-vector product (x0 = 0). */
function conjugateGradient(apply: (v: Float64Array, out: Float64Array) => void, b: Float64Array, tolerance: number): Float64Array {
  const n = b.length;
  const x = new Float64Array(n);
  const r = Float64Array.from(b);
  const p = Float64Array.from(b);
  const ap = new Float64Array(n);
  const dot = (u: Float64Array, v: Float64Array) => u.reduce((s, ui, i) => s + ui * v[i]!, 0);
  let rr = dot(r, r);
  const stop = tolerance * tolerance * Math.max(rr, 1e-300);
  for (let iteration = 0; iteration < 10 * n + 100 && rr > stop; iteration++) {
    apply(p, ap);
    const alpha = rr / dot(p, ap);
    for (let i = 0; i < n; i++) {
      x[i] = x[i]! + alpha * p[i]!;
      r[i] = r[i]! - alpha * ap[i]!;
    }
    const next = dot(r, r);
    const beta = next / rr;
    rr = next;
    for (let i = 0; i < n; i++) p[i] = r[i]! + beta * p[i]!;
  }
  return x;
}
