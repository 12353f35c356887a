// SPDX-License-Identifier: Apache-2.0
// The loops a user writes without webxai: one perturbed image (or one noisy sample) at a time, built
// on the host, through the model, its score awaited before the next. Plain tfjs, written for clarity
// like a tutorial would; they compute the same quantities as webxai's methods (not bit-equal: their
// own random masks/noise), so the benchmark can put the two side by side.
import type * as tfNamespace from '@tensorflow/tfjs';

type Tf = typeof tfNamespace;
type Model = tfNamespace.LayersModel;

/** The target's logit for one image, awaited (the per-step round trip of a naive loop). */
async function score(tf: Tf, model: Model, image: tfNamespace.Tensor, target: number): Promise<number> {
  const logit = tf.tidy(() => (model.predict(image) as tfNamespace.Tensor).slice([0, target], [1, 1]));
  const value = (await logit.data())[0]!;
  logit.dispose();
  return value;
}

/** `image` [1, h, w, c] with each pixel multiplied by keep[y * w + x] (all channels). */
function masked(tf: Tf, image: tfNamespace.Tensor4D, keep: Float32Array): tfNamespace.Tensor4D {
  const [, h, w] = image.shape;
  return tf.tidy(() => tf.mul(image, tf.tensor4d(keep, [1, h, w, 1])));
}

/** Occlusion (Zeiler & Fergus): zero one window at a time; attribution = mean score drop over the windows covering a pixel. */
export async function naiveOcclusion(tf: Tf, model: Model, image: tfNamespace.Tensor4D, target: number, window: number, stride: number) {
  const [, h, w] = image.shape;
  const base = await score(tf, model, image, target);
  const drop = new Float32Array(h * w);
  const covered = new Float32Array(h * w);
  for (let top = 0; top + window <= h; top += stride) {
    for (let left = 0; left + window <= w; left += stride) {
      const keep = new Float32Array(h * w).fill(1);
      for (let y = top; y < top + window; y++) keep.fill(0, y * w + left, y * w + left + window);
      const occluded = masked(tf, image, keep);
      const delta = base - (await score(tf, model, occluded, target));
      occluded.dispose();
      keep.forEach((k, p) => {
        if (k !== 0) return;
        drop[p]! += delta;
        covered[p]! += 1;
      });
    }
  }
  return drop.map((d, p) => (covered[p]! > 0 ? d / covered[p]! : 0));
}

/** RISE (Petsiuk et al. 2018): random coarse grids upsampled and shifted; saliency = score-weighted mean mask. */
export async function naiveRise(tf: Tf, model: Model, image: tfNamespace.Tensor4D, target: number, masks: number, grid = 7) {
  const [, h, w] = image.shape;
  const cell = Math.ceil(h / grid);
  const saliency = new Float32Array(h * w);
  for (let i = 0; i < masks; i++) {
    const coarse = tf.tensor4d(
      Float32Array.from({ length: (grid + 1) ** 2 }, () => (Math.random() < 0.5 ? 1 : 0)),
      [1, grid + 1, grid + 1, 1],
    );
    const [dy, dx] = [Math.floor(Math.random() * cell), Math.floor(Math.random() * cell)];
    const mask = tf.tidy(() => tf.image.resizeBilinear(coarse, [(grid + 1) * cell, (grid + 1) * cell]).slice([0, dy, dx, 0], [1, h, w, 1]));
    const keep = (await mask.data()) as Float32Array;
    const perturbed = tf.tidy(() => tf.mul(image, mask));
    const s = await score(tf, model, perturbed, target);
    tf.dispose([coarse, mask, perturbed]);
    keep.forEach((m, p) => (saliency[p]! += (s * m) / masks / 0.5));
  }
  return saliency;
}

/**
 * Deletion / insertion curve (Petsiuk et al. 2018): zero the top pixels step by step (deletion), or
 * show only them on black (insertion); area under the target's softmax probability.
 */
async function rankedCurve(
  tf: Tf,
  model: Model,
  image: tfNamespace.Tensor4D,
  target: number,
  map: Float32Array,
  steps: number,
  inserting: boolean,
) {
  const [, h, w] = image.shape;
  const order = Array.from({ length: h * w }, (_, p) => p).sort((a, b) => map[b]! - map[a]! || a - b);
  const curve: number[] = [];
  // The mask is rebuilt from scratch each step (O(HW) host work per step), as a straightforward loop
  // would; at 28x28 that is microseconds beside each awaited forward, so it does not flatter webxai.
  for (let k = 0; k <= steps; k++) {
    const keep = new Float32Array(h * w).fill(inserting ? 0 : 1);
    for (const p of order.slice(0, Math.floor((k * h * w) / steps))) keep[p] = inserting ? 1 : 0;
    const perturbed = masked(tf, image, keep);
    const probability = tf.tidy(() => tf.softmax(model.predict(perturbed) as tfNamespace.Tensor).slice([0, target], [1, 1]));
    curve.push((await probability.data())[0]!);
    tf.dispose([perturbed, probability]);
  }
  return curve.slice(1).reduce((area, v, i) => area + (v + curve[i]!) / 2 / steps, 0);
}

export const naiveDeletion = (tf: Tf, model: Model, image: tfNamespace.Tensor4D, target: number, map: Float32Array, steps: number) =>
  rankedCurve(tf, model, image, target, map, steps, false);
export const naiveInsertion = (tf: Tf, model: Model, image: tfNamespace.Tensor4D, target: number, map: Float32Array, steps: number) =>
  rankedCurve(tf, model, image, target, map, steps, true);

/** SmoothGrad (Smilkov et al. 2017): the mean gradient over noisy copies, one tf.grad per sample. */
export async function naiveSmoothGrad(tf: Tf, model: Model, image: tfNamespace.Tensor4D, target: number, samples: number, sigma: number) {
  const gradientOf = tf.grad((x: tfNamespace.Tensor) => (model.predict(x) as tfNamespace.Tensor).slice([0, target], [1, 1]).sum());
  const sum = new Float32Array(image.size);
  for (let i = 0; i < samples; i++) {
    const noisy = tf.tidy(() => tf.add(image, tf.randomNormal(image.shape, 0, sigma)));
    const gradient = gradientOf(noisy);
    ((await gradient.data()) as Float32Array).forEach((g, j) => (sum[j]! += g / samples));
    tf.dispose([noisy, gradient]);
  }
  return sum;
}

/** Integrated Gradients (Sundararajan et al. 2017) from a black image, midpoint rule: one tf.grad per step, awaited. */
export async function naiveIntegratedGradients(tf: Tf, model: Model, image: tfNamespace.Tensor4D, target: number, steps: number) {
  const gradientOf = tf.grad((x: tfNamespace.Tensor) => (model.predict(x) as tfNamespace.Tensor).slice([0, target], [1, 1]).sum());
  const sum = new Float32Array(image.size);
  for (let k = 0; k < steps; k++) {
    const point = tf.mul(image, (k + 0.5) / steps);
    const gradient = gradientOf(point);
    ((await gradient.data()) as Float32Array).forEach((g, j) => (sum[j]! += g / steps));
    tf.dispose([point, gradient]);
  }
  const pixels = (await image.data()) as Float32Array;
  return sum.map((g, j) => g * pixels[j]!);
}
