// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { InvalidOptionError, throwIfAborted } from '@webxai/shaders';
import { toInputBatch } from '../../api/input.js';
import type { Target } from '../../api/targets.js';
import { originalScores } from '../../perturbation/shared/evaluate.js';
import type { ExplainOptions } from '../../api/types.js';
import { adaptModel } from '../../model/adapt.js';
import type { ModelInput } from '../../model/types.js';
import { integerOption, seedOption } from '../../api/options.js';
import { stackMaps } from '../../perturbation/shared/stack.js';
import { checkOptionNames, type OptionNames } from '../../api/option-names.js';
import { spearman } from '../shared/stats.js';
import { explainAttribution, readPixelMaps } from '../sanity/compare-maps.js';

/** Options of {@link stability}. */
export interface StabilityOptions {
  /** A stochastic method's explain options (SmoothGrad, RISE, LIME, KernelSHAP, Expected Gradients...); `seed` is set per run. */
  readonly explain: ExplainOptions;
  /** Number of runs, with seeds firstSeed .. firstSeed + runs - 1. Default 5. */
  readonly runs?: number;
  /** Default 0. */
  readonly firstSeed?: number;
  readonly target?: Target;
  readonly signal?: AbortSignal;
}

/** Result of {@link stability}. The caller disposes `std` and `mean`. */
export interface StabilityResult {
  /** Per-pixel standard deviation of the pixel maps across runs (population), [n, h, w]: an uncertainty layer. */
  readonly std: tf.Tensor3D;
  /** Per-pixel mean map across runs, [n, h, w]. */
  readonly mean: tf.Tensor3D;
  /** Mean Spearman rank correlation over every pair of runs, per image (1 = the ranking never changes). */
  readonly rankCorrelation: number[];
  readonly target: number[];
}

const NAME = 'stability';

const OPTION_NAMES: OptionNames<StabilityOptions> = { explain: true, runs: true, firstSeed: true, target: true, signal: true };

/** Checks an explain-options object. */
export function checkExplainOptions(what: string, explain: unknown): asserts explain is ExplainOptions {
  if (typeof explain !== 'object' || explain === null || typeof (explain as { method?: unknown }).method !== 'string') {
    throw new InvalidOptionError(`${what}: explain must be explain options, e.g. { method: 'smoothgrad', samples: 32 }`);
  }
}

/**
 * Runs a stochastic method `runs` times with different seeds (same target) and returns the per-pixel
 * standard deviation of its maps and the mean pairwise Spearman rank correlation between runs, so a
 * UI can show how much of a map is noise.
 *
 * @example
 * const s = await stability(model, image, { explain: { method: 'smoothgrad', samples: 16 }, runs: 5 });
 * s.rankCorrelation; // [0.83]
 * s.std;             // tf.Tensor3D [1, h, w]; dispose with s.mean
 */
export async function stability(model: ModelInput, input: tf.Tensor, options: StabilityOptions): Promise<StabilityResult> {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError(`${NAME}: options must be an object with explain`);
  checkOptionNames(NAME, options, OPTION_NAMES);
  checkExplainOptions(NAME, options.explain);
  const runs = integerOption(NAME, 'runs', options.runs, 5, 2);
  const firstSeed = seedOption(NAME, options.firstSeed);
  const adapter = adaptModel(model);
  const batch = await toInputBatch(input, adapter);
  // Every run's attribution stays on the device until the last: their maps come back in one readback.
  const attributions: tf.Tensor4D[] = [];
  try {
    const { targets: target } = await originalScores(adapter, batch, options.target, options.signal);
    for (let r = 0; r < runs; r++) {
      throwIfAborted(options.signal, NAME);
      const explain = { ...options.explain, seed: firstSeed + r } as ExplainOptions;
      attributions.push((await explainAttribution(NAME, explain, model, batch, target, false)).attribution);
    }
    const all = await readPixelMaps(
      NAME,
      attributions,
      attributions.map((_, r) => `run ${r} (seed ${firstSeed + r})`),
    );
    const [n, h, w] = batch.shape;
    const pixels = h * w;
    const means: Float32Array[] = [];
    const stds: Float32Array[] = [];
    const rankCorrelation: number[] = [];
    for (let i = 0; i < n; i++) {
      const m = new Float32Array(pixels);
      const s = new Float32Array(pixels);
      for (let p = 0; p < pixels; p++) {
        let sum = 0;
        for (let r = 0; r < runs; r++) sum += all[r]![i]![p]!;
        const mu = sum / runs;
        let v = 0;
        for (let r = 0; r < runs; r++) v += (all[r]![i]![p]! - mu) ** 2;
        m[p] = mu;
        s[p] = Math.sqrt(v / runs);
      }
      means.push(m);
      stds.push(s);
      let total = 0;
      let pairs = 0;
      for (let a = 0; a < runs; a++) for (let b = a + 1; b < runs; b++, pairs++) total += spearman(all[a]![i]!, all[b]![i]!);
      rankCorrelation.push(total / pairs);
    }
    return { std: stackMaps(stds, h, w), mean: stackMaps(means, h, w), rankCorrelation, target };
  } finally {
    tf.dispose(attributions);
    batch.dispose();
  }
}
