// SPDX-License-Identifier: Apache-2.0
// KernelSHAP as a tfjs user writes it from Lundberg & Lee (2017) without webxai: coalitions of
// superpixels drawn from the Shapley kernel (a size with probability proportional to its kernel
// mass, then a uniform subset of that size, and its complement: shap's paired sampling), one
// masked image through the model at a time (each score awaited), then the least squares with
// sum(phi) = f(x) - f(nothing) imposed by eliminating the last feature, solved on the host.
import type * as tfNamespace from '@tensorflow/tfjs';
import { solve, uniforms } from './host-math.js';

type Tf = typeof tfNamespace;
type Model = tfNamespace.LayersModel;

/** The target's score with only the superpixels where `on` is 1 shown (the rest zeroed), awaited. */
async function coalitionScore(tf: Tf, model: Model, image: tfNamespace.Tensor4D, target: number, segments: Int32Array, on: Float64Array) {
  const [, h, w] = image.shape;
  const keep = Float32Array.from(segments, (label) => on[label]!);
  const score = tf.tidy(() =>
    (model.predict(tf.mul(image, tf.tensor4d(keep, [1, h, w, 1]))) as tfNamespace.Tensor).slice([0, target], [1, 1]),
  );
  const value = (await score.data())[0]!;
  score.dispose();
  return value;
}

/** A random coalition of `m` features: its size drawn with the Shapley kernel's mass (m - 1) / (k (m - k)). */
function drawCoalition(m: number, random: () => number): Float64Array {
  const mass = Array.from({ length: m - 1 }, (_, i) => (m - 1) / ((i + 1) * (m - i - 1)));
  let u = random() * mass.reduce((a, b) => a + b, 0);
  let size = 1;
  while (size < m - 1 && (u -= mass[size - 1]!) >= 0) size++;
  const order = Array.from({ length: m }, (_, j) => j);
  for (let j = 0; j < size; j++) {
    const r = j + Math.floor(random() * (m - j));
    [order[j], order[r]] = [order[r]!, order[j]!];
  }
  const on = new Float64Array(m);
  for (let j = 0; j < size; j++) on[order[j]!] = 1;
  return on;
}

/** Least squares of y ~ z with sum(phi) = delta: eliminate phi[m - 1], solve the normal equations for the rest. */
function constrainedLeastSquares(rows: Float64Array[], y: number[], m: number, delta: number): Float64Array {
  const a = new Float64Array((m - 1) * (m - 1));
  const b = new Float64Array(m - 1);
  rows.forEach((z, r) => {
    const target = y[r]! - z[m - 1]! * delta;
    for (let i = 0; i < m - 1; i++) {
      const xi = z[i]! - z[m - 1]!;
      b[i]! += xi * target;
      for (let j = 0; j < m - 1; j++) a[i * (m - 1) + j]! += xi * (z[j]! - z[m - 1]!);
    }
  });
  const phi = new Float64Array(m);
  phi.set(solve(a, b, m - 1));
  phi[m - 1] = delta - phi.reduce((s, v) => s + v, 0);
  return phi;
}

/**
 * KernelSHAP over the label map `segments` (labels 0 .. m - 1), absent superpixels zeroed,
 * `samples` coalitions (pairs of one and its complement); returns one SHAP value per superpixel.
 */
export async function naiveKernelShap(
  tf: Tf,
  model: Model,
  image: tfNamespace.Tensor4D,
  target: number,
  segments: Int32Array,
  samples: number,
) {
  const m = Math.max(...segments) + 1;
  const scoreOf = (on: Float64Array) => coalitionScore(tf, model, image, target, segments, on);
  const fx = await scoreOf(new Float64Array(m).fill(1));
  const fnull = await scoreOf(new Float64Array(m));
  const random = uniforms(1);
  const rows: Float64Array[] = [];
  const y: number[] = [];
  while (rows.length < samples) {
    const on = drawCoalition(m, random);
    for (const z of [on, on.map((v) => 1 - v)].slice(0, samples - rows.length)) {
      rows.push(z);
      y.push((await scoreOf(z)) - fnull);
    }
  }
  return constrainedLeastSquares(rows, y, m, fx - fnull);
}
