// SPDX-License-Identifier: Apache-2.0
// LIME as a tfjs user writes it from lime_image's recipe without webxai: random on/off superpixels,
// one masked image through the model at a time (each score awaited), then lime's weighted ridge
// regression on the host (kernel sqrt(exp(-d^2 / width^2)) of the cosine distance to all-on,
// sklearn Ridge(alpha=1) with an intercept).
import type * as tfNamespace from '@tensorflow/tfjs';
import { solve, uniforms } from './host-math.js';

type Tf = typeof tfNamespace;
type Model = tfNamespace.LayersModel;

/** Weighted ridge with an intercept: the coefficients of y ~ x (rows of `features` values). */
function weightedRidge(x: Float64Array[], y: number[], w: number[], features: number, alpha: number): Float64Array {
  const sw = w.reduce((s, v) => s + v, 0);
  const mean = Float64Array.from({ length: features }, (_, j) => x.reduce((s, row, r) => s + w[r]! * row[j]!, 0) / sw);
  const ybar = y.reduce((s, v, r) => s + w[r]! * v, 0) / sw;
  const a = new Float64Array(features * features);
  const b = new Float64Array(features);
  x.forEach((row, r) => {
    for (let i = 0; i < features; i++) {
      const xi = row[i]! - mean[i]!;
      b[i]! += w[r]! * xi * (y[r]! - ybar);
      for (let j = 0; j < features; j++) a[i * features + j]! += w[r]! * xi * (row[j]! - mean[j]!);
    }
  });
  for (let i = 0; i < features; i++) a[i * features + i]! += alpha;
  return solve(a, b, features);
}

/**
 * LIME over the label map `segments` (labels 0 .. features - 1, one per pixel), hidden superpixels
 * zeroed, `samples` samples (the first all on); returns one weight per superpixel.
 */
export async function naiveLime(tf: Tf, model: Model, image: tfNamespace.Tensor4D, target: number, segments: Int32Array, samples: number) {
  const [, h, w] = image.shape;
  const features = Math.max(...segments) + 1;
  const random = uniforms(1);
  const rows: Float64Array[] = [];
  const scores: number[] = [];
  for (let s = 0; s < samples; s++) {
    const on = Float64Array.from({ length: features }, () => (s === 0 || random() < 0.5 ? 1 : 0));
    const keep = Float32Array.from(segments, (label) => on[label]!);
    const score = tf.tidy(() =>
      (model.predict(tf.mul(image, tf.tensor4d(keep, [1, h, w, 1]))) as tfNamespace.Tensor).slice([0, target], [1, 1]),
    );
    scores.push((await score.data())[0]!);
    score.dispose();
    rows.push(on);
  }
  const weights = rows.map((on) => {
    const ones = on.reduce((a, v) => a + v, 0);
    const d = ones === 0 ? 1 : 1 - Math.sqrt(ones / features);
    return Math.sqrt(Math.exp(-(d * d) / 0.25 ** 2));
  });
  return weightedRidge(rows, scores, weights, features, 1);
}
