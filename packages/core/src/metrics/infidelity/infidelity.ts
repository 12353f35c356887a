// SPDX-License-Identifier: Apache-2.0
import { normalFill } from '@webxai/shaders';
import { imageAt } from '../../perturbation/shared/evaluate.js';
import { integerOption, numberOption, seedOption } from '../../api/options.js';
import { putImage, scoreHostImages } from '../shared/host-batches.js';
import { metricOriginalScores } from '../shared/masked-batches.js';
import type { MetricDefinition } from '../types.js';
import { InvalidOptionError, invariant } from '@webxai/shaders';

/** Options of `'infidelity'`. */
export interface InfidelityOptions {
  /** Perturbations per image. Default 10 (Captum `n_perturb_samples`). */
  readonly samples?: number;
  /**
   * Standard deviation of the Gaussian perturbation I ~ N(0, noiseStd^2) of every input value.
   * Default 0.003 (the perturbation of Captum's infidelity example; Captum has no default perturb_func).
   */
  readonly noiseStd?: number;
  /** Scale the attribution by the least-squares beta first (Captum `normalize`). Default false. */
  readonly normalize?: boolean;
  /** Seed of the perturbations. Default 0. */
  readonly seed?: number;
}

declare module '../types.js' {
  interface MetricRegistry {
    infidelity: InfidelityOptions;
  }
}

const NAME = 'infidelity';

/** Dot product of a perturbation (H * W * C) with an attribution of C' = C or 1 channels (broadcast). */
function dotAttribution(
  noise: Float32Array,
  attribution: Float32Array,
  offset: number,
  pixels: number,
  channels: number,
  attributionChannels: number,
): number {
  let s = 0;
  for (let p = 0; p < pixels; p++)
    for (let c = 0; c < channels; c++)
      s += noise[p * channels + c]! * attribution[offset + p * attributionChannels + (attributionChannels === 1 ? 0 : c)]!;
  return s;
}

/**
 * `'infidelity'` (Yeh et al. 2019, "On the (In)fidelity and Sensitivity of Explanations", NeurIPS),
 * with Captum's semantics: for perturbations I_s (s = 1..samples), the perturbed input is x - I_s and
 * INFD = mean_s (I_s . a - (f(x) - f(x - I_s)))^2, f the target's raw score; with `normalize`, a is
 * first scaled by beta = mean(I.a * delta) / mean((I.a)^2). A per-pixel map is broadcast over the
 * channels. Lower is better.
 */
export const infidelity: MetricDefinition<'infidelity'> = {
  name: NAME,
  optionNames: { samples: true, noiseStd: true, normalize: true, seed: true },
  check(o) {
    integerOption(NAME, 'samples', o.samples, 10, 1);
    numberOption(NAME, 'noiseStd', o.noiseStd, 0.003, 0);
    seedOption(NAME, o.seed);
    if (o.normalize !== undefined && typeof o.normalize !== 'boolean')
      throw new InvalidOptionError(`${NAME}: normalize must be a boolean, got ${String(o.normalize)}`);
  },
  async run(inputs, o) {
    const { input, attribution, height, width, channels } = inputs;
    const samples = o.samples ?? 10;
    const std = o.noiseStd ?? 0.003;
    const seed = o.seed ?? 0;
    const pixels = height * width;
    const perImage = pixels * channels;
    const attributionChannels = attribution.shape[3];
    const values = (await attribution.data()) as Float32Array;
    const { scores: original, classes, targets } = await metricOriginalScores(NAME, inputs);
    const scores: number[] = [];
    for (let i = 0; i < targets.length; i++) {
      const image = await imageAt(input, i, inputs.hostValues);
      image.tensor.dispose();
      const noise = new Float32Array(perImage);
      const perturbed = new Float32Array(perImage);
      // Each sample's noise is drawn once, where its perturbed image is written: I.a is taken there
      // rather than by drawing the same 150k normals again after the model has run.
      const dots = new Float64Array(samples);
      let drawn = 0;
      const attributionOffset = i * pixels * attributionChannels;
      const result = await scoreHostImages(NAME, inputs, samples, (out, first, count, layout) => {
        for (let b = 0; b < count; b++) {
          normalFill(seed, (i * samples + first + b) * perImage, perImage, 0, std, noise);
          for (let v = 0; v < perImage; v++) perturbed[v] = image.values[v]! - noise[v]!;
          putImage(out, b, perturbed, pixels, channels, layout);
          dots[first + b] = dotAttribution(noise, values, attributionOffset, pixels, channels, attributionChannels);
          drawn++;
        }
      });
      invariant(drawn === samples, `${NAME}: ${drawn} perturbations written for ${samples} samples`);
      const drops = new Float64Array(samples);
      const f0 = original[i * classes + targets[i]!]!;
      for (let s = 0; s < samples; s++) drops[s] = f0 - result.scores[s * result.classes + targets[i]!]!;
      let beta = 1;
      if (o.normalize) {
        let num = 0;
        let den = 0;
        for (let s = 0; s < samples; s++) [num, den] = [num + dots[s]! * drops[s]!, den + dots[s]! ** 2];
        beta = den > 0 ? num / den : 0;
      }
      let sum = 0;
      for (let s = 0; s < samples; s++) sum += (beta * dots[s]! - drops[s]!) ** 2;
      scores.push(sum / samples);
    }
    return { scores, target: targets };
  },
};
