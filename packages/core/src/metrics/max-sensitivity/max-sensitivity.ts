// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { InvalidOptionError, throwIfAborted } from '@webxai/shaders';
import { explain } from '../../api/explain.js';
import { disposeResult } from '../../api/dispose-result.js';
import { originalScores } from '../../perturbation/shared/evaluate.js';
import type { ExplainOptions } from '../../api/types.js';
import { uniformTensor } from '../../interop/uniform-tensor.js';
import { integerOption, numberOption, seedOption } from '../../api/options.js';
import { normaliseAttribution } from '../shared/attribution.js';
import type { MetricDefinition, MetricOptionsFor, ReadingMetricInputs } from '../types.js';

/** Options of `'max-sensitivity'`. */
export interface MaxSensitivityOptions {
  /** How to re-explain each perturbed input: explain options (method and its options; target is set per image). Required. */
  readonly explain: ExplainOptions;
  /** Perturbations per image. Default 10 (Captum `n_perturb_samples`). */
  readonly samples?: number;
  /** Each input value moves by U(-radius, radius). Default 0.02 (Captum `perturb_radius`). */
  readonly radius?: number;
  /** Seed of the perturbations. Default 0. */
  readonly seed?: number;
}

declare module '../types.js' {
  interface MetricRegistry {
    'max-sensitivity': MaxSensitivityOptions;
  }
}

const NAME = 'max-sensitivity';

/** Squared Frobenius norms per image of a [n, ...] tensor, on its device. */
function squaredNorms(t: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => tf.sum(tf.square(tf.reshape(t, [t.shape[0], -1])), 1));
}

/**
 * ||e(x + d_s) - e(x)||^2 for samples first .. first + count - 1 and every image (sample-major), from
 * one explain call over their perturbed inputs. Sample s's perturbation is values s * size ..
 * (s + 1) * size - 1 of the seed's U(-radius, radius) stream (the same values on both paths), so the
 * samples of a call are one contiguous draw.
 */
async function sampleNorms(
  inputs: ReadingMetricInputs,
  o: MetricOptionsFor<'max-sensitivity'>,
  targets: readonly number[],
  first: number,
  count: number,
): Promise<tf.Tensor1D> {
  const { model, input, attribution } = inputs;
  const radius = o.radius ?? 0.02;
  const shape: [number, number, number, number] = [count * input.shape[0], ...(input.shape.slice(1) as [number, number, number])];
  const noise = await uniformTensor(shape, o.seed ?? 0, first * input.size, inputs.path, [-radius, radius]);
  const noisy = tf.tidy(() => tf.add<tf.Tensor4D>(tf.tile(input, [count, 1, 1, 1]), noise));
  noise.dispose();
  let result: { attribution: tf.Tensor } | undefined;
  try {
    result = await explain(model.source, noisy, {
      ...o.explain,
      target: Array.from({ length: count }, () => targets).flat(),
      ...(o.preprocess ? { preprocess: o.preprocess } : {}),
    });
    const moved = result.attribution;
    return tf.tidy(() => squaredNorms(tf.sub(normaliseAttribution(NAME, moved, noisy.shape), tf.tile(attribution, [count, 1, 1, 1]))));
  } finally {
    noisy.dispose();
    if (result) disposeResult(result);
  }
}

/**
 * `'max-sensitivity'` (Yeh et al. 2019, "On the (In)fidelity and Sensitivity of Explanations",
 * NeurIPS), with Captum's `sensitivity_max` semantics: the input is perturbed `samples` times by
 * uniform noise in [-radius, radius] per value, each perturbed input is explained again (same method,
 * same target), and the score is max_s ||e(x + d_s) - e(x)||_F / ||e(x)||_F, with e(x) the attribution
 * given to evaluate. Lower is better (0 for an explanation that does not move). As Captum, the
 * perturbed inputs are explained in batches (whole samples, up to evaluate's `batchSize` images per
 * explain call): a method that draws random numbers per image of its batch (SmoothGrad's noise,
 * RISE's masks) draws them for a perturbed input's place in that batch.
 */
export const maxSensitivity: MetricDefinition<'max-sensitivity'> = {
  name: NAME,
  optionNames: { explain: true, samples: true, radius: true, seed: true },
  check(o) {
    if (typeof o.explain !== 'object' || o.explain === null || typeof o.explain.method !== 'string') {
      throw new InvalidOptionError(`${NAME}: explain must be the explain options of the method to re-run, e.g. { method: 'saliency' }`);
    }
    integerOption(NAME, 'samples', o.samples, 10, 1);
    numberOption(NAME, 'radius', o.radius, 0.02, 0);
    seedOption(NAME, o.seed);
  },
  // The re-explanations do not depend on the attribution's values (only on its tensor): they go out
  // while evaluate reads it back, and every norm stays on the device until one readback at the end.
  async runWhileReading(inputs, o) {
    const { model, input } = inputs;
    const samples = o.samples ?? 10;
    const n = input.shape[0];
    const { targets } = await originalScores(model, input, inputs.target, inputs.signal);
    // Row 0: ||e(x)||^2 per image; then ||e(x + d_s) - e(x)||^2 per sample s and image.
    const rows: tf.Tensor1D[] = [squaredNorms(inputs.attribution)];
    let norms: Float64Array;
    try {
      // Whole samples per explain call, up to evaluate's batch of images: one call (one drain of the
      // GPU, the method's own readbacks once) instead of one per sample (Captum batches them too).
      const perCall = Math.max(1, Math.floor(inputs.batchSize / n));
      for (let first = 0; first < samples; first += perCall) {
        throwIfAborted(inputs.signal, NAME);
        rows.push(await sampleNorms(inputs, o, targets, first, Math.min(perCall, samples - first)));
      }
      const all = tf.concat(rows);
      norms = Float64Array.from(await all.data().finally(() => all.dispose()), Math.sqrt);
      inputs.markDrained?.(); // the norms of every explain call's map
    } finally {
      tf.dispose(rows);
    }
    const worst = new Float64Array(n);
    for (let s = 1; s <= samples; s++) {
      for (let i = 0; i < n; i++) {
        const [moved, reference] = [norms[s * n + i]!, norms[i]!];
        worst[i] = Math.max(worst[i]!, reference > 0 ? moved / reference : moved > 0 ? Infinity : 0);
      }
    }
    return { scores: Array.from(worst), target: targets };
  },
};
