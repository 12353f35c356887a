// SPDX-License-Identifier: Apache-2.0
import { InvalidOptionError, invariant, normalFill } from '@webxai/shaders';
import { integerOption, numberOption, seedOption } from '../../api/options.js';
import { scoreWithOriginals } from '../shared/host-batches.js';
import type { MetricDefinition } from '../types.js';

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
  hostInput: true,
  check(o) {
    integerOption(NAME, 'samples', o.samples, 10, 1);
    numberOption(NAME, 'noiseStd', o.noiseStd, 0.003, 0);
    seedOption(NAME, o.seed);
    if (o.normalize !== undefined && typeof o.normalize !== 'boolean')
      throw new InvalidOptionError(`${NAME}: normalize must be a boolean, got ${String(o.normalize)}`);
  },
  async run(inputs, o) {
    const { attribution, attributionValues, height, width, channels } = inputs;
    const samples = o.samples ?? 10;
    const std = o.noiseStd ?? 0.003;
    const seed = o.seed ?? 0;
    const pixels = height * width;
    const perImage = pixels * channels;
    const attributionChannels = attribution.shape[3];
    const n = inputs.input.shape[0];
    const noise = new Float32Array(perImage);
    const perturbed = new Float32Array(perImage);
    // Each sample's noise is drawn once, where its perturbed image is written: I.a is taken there
    // rather than by drawing the same 150k normals again after the model has run.
    const dots = new Float64Array(n * samples);
    let drawn = 0;
    const perturb = (i: number, s: number) => {
      normalFill(seed, (i * samples + s) * perImage, perImage, 0, std, noise);
      const image = inputs.inputValues!.subarray(i * perImage, (i + 1) * perImage);
      for (let v = 0; v < perImage; v++) perturbed[v] = image[v]! - noise[v]!;
      dots[i * samples + s] = dotAttribution(
        noise,
        attributionValues,
        i * pixels * attributionChannels,
        pixels,
        channels,
        attributionChannels,
      );
      drawn++;
      return perturbed;
    };
    const { original, derived, classes, targets } = await scoreWithOriginals(NAME, inputs, samples, perturb);
    invariant(drawn === n * samples, `${NAME}: ${drawn} perturbations written for ${n * samples} samples`);
    const scores = targets.map((target, i) => {
      const f0 = original[i * classes + target]!;
      const drops = Float64Array.from({ length: samples }, (_, s) => f0 - derived[(i * samples + s) * classes + target]!);
      return infidelityOf(dots.subarray(i * samples, (i + 1) * samples), drops, o.normalize ?? false);
    });
    return { scores, target: targets };
  },
};

/** mean_s (beta I_s.a - drop_s)^2, beta the least-squares scale when normalizing, else 1. */
function infidelityOf(dots: Float64Array, drops: Float64Array, normalize: boolean): number {
  let beta = 1;
  if (normalize) {
    let [num, den] = [0, 0];
    for (let s = 0; s < dots.length; s++) [num, den] = [num + dots[s]! * drops[s]!, den + dots[s]! ** 2];
    beta = den > 0 ? num / den : 0;
  }
  let sum = 0;
  for (let s = 0; s < dots.length; s++) sum += (beta * dots[s]! - drops[s]!) ** 2;
  return sum / dots.length;
}
