// SPDX-License-Identifier: Apache-2.0
// Guided IG as a tfjs user ports PAIR-code/saliency's guided_ig.guided_ig_impl without webxai: the
// numpy arrays become tfjs tensors (f32 instead of f64), each scalar the loop branches on (the L1
// distances) is awaited on the host, and the quantile is a host sort of |gradient|, every iteration.
import type * as tfNamespace from '@tensorflow/tfjs';

type Tf = typeof tfNamespace;
type Model = tfNamespace.LayersModel;
type Tensor = tfNamespace.Tensor;

/** A scalar tensor's value, awaited; disposes it. */
async function valueOf(scalar: Tensor): Promise<number> {
  const value = (await scalar.data())[0]!;
  scalar.dispose();
  return value;
}

/**
 * PAIR's math.isclose(target, current) with EPSILON = 1e-9 needs f64 sums: in f32 an L1 sum that
 * should equal the target misses it by ~1e-7 of the total, nothing is left to select, and the
 * loop spins forever. The f32 port compares within 1e-5 of the total L1 distance instead.
 */
function isClose(target: number, current: number, total: number): boolean {
  return Math.abs(target - current) <= 1e-5 * total;
}

/** np.quantile(values, q, interpolation='lower') by a host sort (Infinity sorts last). */
async function quantileLower(values: Tensor, q: number): Promise<number> {
  const sorted = Float32Array.from((await values.data()) as Float32Array).sort();
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

/** The path geometry of one step: PAIR's translate_alpha_to_x at alpha_min and alpha_max. */
function stepBounds(tf: Tf, input: Tensor, step: number, steps: number, maxDist: number) {
  const alpha = (step + 1) / steps;
  const alphaMin = Math.max(alpha - maxDist, 0);
  const alphaMax = Math.min(alpha + maxDist, 1);
  // The baseline is black (zeros): x = input * alpha.
  return { alphaMin, alphaMax, xMin: tf.mul(input, alphaMin), xMax: tf.mul(input, alphaMax) };
}

/**
 * Guided IG (Kapishnikov et al. 2021) from a black baseline: per step one tf.grad, then PAIR's
 * while-gamma-above-1 loop (catch features behind alpha_min up to x_min, stop if the L1 distance is
 * the step's target, else move the `fraction` of features with the smallest |gradient| toward
 * x_max, all the way or a fraction gamma). Returns the attribution, row-major.
 */
export async function naiveGuidedIg(
  tf: Tf,
  model: Model,
  image: tfNamespace.Tensor4D,
  target: number,
  steps: number,
  fraction = 0.25,
  maxDist = 0.02,
) {
  const gradientOf = tf.grad((x: Tensor) => (model.predict(x) as Tensor).slice([0, target], [1, 1]).sum());
  const l1Total = await valueOf(tf.tidy(() => tf.sum(tf.abs(image))));
  let x: Tensor = tf.zerosLike(image);
  let attribution: Tensor = tf.zerosLike(image);
  for (let step = 0; step < steps; step++) {
    const gradActual = gradientOf(x);
    let grad = gradActual.clone();
    const { alphaMin, alphaMax, xMin, xMax } = stepBounds(tf, image, step, steps, maxDist);
    const l1Target = l1Total * (1 - (step + 1) / steps);
    let gamma = Number.POSITIVE_INFINITY;
    while (gamma > 1) {
      const xOld = x;
      // x_alpha (NaN where input == baseline, replaced by alpha_max); features behind jump to x_min.
      x = tf.tidy(() => {
        const xAlpha = tf.where(tf.notEqual(image, 0), tf.div(x, image), tf.fill(image.shape, alphaMax));
        return tf.where(tf.less(xAlpha, alphaMin), xMin, x);
      });
      const l1Current = await valueOf(tf.tidy(() => tf.sum(tf.abs(tf.sub(x, image)))));
      const close = isClose(l1Target, l1Current, l1Total);
      let stuck = false; // nothing left to move short of the target: PAIR would loop forever
      if (!close) {
        const marked = tf.tidy(() => tf.where(tf.equal(x, xMax), tf.fill(image.shape, Number.POSITIVE_INFINITY), grad));
        grad.dispose();
        grad = marked;
        const magnitude = tf.abs(grad);
        const threshold = await quantileLower(magnitude, fraction);
        const selected = tf.tidy(() => tf.logicalAnd(tf.lessEqual(magnitude, threshold), tf.notEqual(grad, Number.POSITIVE_INFINITY)));
        const l1Selected = await valueOf(tf.tidy(() => tf.sum(tf.mul(tf.abs(tf.sub(x, xMax)), tf.cast(selected, 'float32')))));
        stuck = l1Selected === 0;
        gamma = l1Selected > 0 ? (l1Current - l1Target) / l1Selected : Number.POSITIVE_INFINITY;
        const before = x;
        const moved = gamma > 1 ? tf.clone(xMax) : tf.tidy(() => tf.add(before, tf.mul(tf.sub(xMax, before), gamma)));
        x = tf.where(selected, moved, before);
        tf.dispose([magnitude, selected, moved, before]);
      }
      const updated = tf.tidy(() => tf.add(attribution, tf.mul(tf.sub(x, xOld), gradActual)));
      tf.dispose([attribution, xOld]);
      attribution = updated;
      if (close || stuck) break;
    }
    tf.dispose([gradActual, grad, xMin, xMax]);
  }
  const values = (await attribution.data()) as Float32Array;
  tf.dispose([x, attribution]);
  return values;
}
