// SPDX-License-Identifier: Apache-2.0
import { InvalidOptionError } from '@webxai/shaders';
import { integerOption, numberOption, seedOption } from '../../api/options.js';
import { gpuBatches } from '../../perturbation/shared/evaluate.js';
import { readInputs } from '../shared/attribution.js';
import { metricEnv } from '../shared/masked-batches.js';
import { Perturbations, scoreOnGpu, scoreOnHost } from './perturbations.js';
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
  // The GPU path makes x - I_s from the input tensor: the readback leaves the input out there.
  hostInput: (_options, path) => path !== 'gpu',
  check(o) {
    integerOption(NAME, 'samples', o.samples, 10, 1);
    numberOption(NAME, 'noiseStd', o.noiseStd, 0.003, 0);
    seedOption(NAME, o.seed);
    if (o.normalize !== undefined && typeof o.normalize !== 'boolean')
      throw new InvalidOptionError(`${NAME}: normalize must be a boolean, got ${String(o.normalize)}`);
  },
  async runWhileReading(inputs, o) {
    const [n, height, width, channels] = inputs.input.shape;
    const perturbations = new Perturbations({ n, height, width, channels }, o.samples ?? 10, o.noiseStd ?? 0.003, o.seed ?? 0);
    // The GPU path makes x - I_s on the GPU and sends its batches before the attribution lands; the
    // host path writes x - I_s from the input's values, which come with the attribution.
    const { original, derived, classes, targets } = gpuBatches(metricEnv(NAME, inputs))
      ? await scoreOnGpu(NAME, inputs, perturbations)
      : await scoreOnHost(NAME, readInputs(inputs, await inputs.reading, true), perturbations);
    inputs.markDrained?.(); // every score came back in that readback: the rest is host arithmetic
    const { samples, dots } = perturbations;
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
