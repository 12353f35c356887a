// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { InvalidInputError, ShapeMismatchError, throwIfAborted, uniformRef } from '@webxai/shaders';
import type { ExplainResultBase, MethodDefinition } from '../../api/types.js';
import { chooseBatchSize, checkBatchingOptions, type BatchingOptions } from '../shared/batching.js';
import { describeValue, integerOption, rejectOptionAs, seedOption } from '../../api/options.js';
import { runPathIntegral } from '../shared/path-integral.js';
import { classesAhead } from '../target-gradients.js';
import type { OptionNames } from '../../api/option-names.js';

/** Options of `'expected-gradients'` (Captum `GradientShap` defaults). */
export interface ExpectedGradientsOptions extends BatchingOptions {
  /** The baseline distribution: [m, h, w, c] images (or one [h, w, c] image); required. */
  readonly baselines: tf.Tensor;
  /** Samples per image: (baseline, alpha) pairs (Captum `n_samples`, default 5). */
  readonly samples?: number;
  /** Seed of the baseline indices and alphas (default 0). */
  readonly seed?: number;
}

/** Option names of expected-gradients (checked against ExpectedGradientsOptions by the compiler; other names are rejected). */
export const EXPECTED_GRADIENTS_OPTION_NAMES: OptionNames<ExpectedGradientsOptions> = {
  baselines: true,
  samples: true,
  seed: true,
  batchSize: true,
  memoryBudgetMB: true,
};

/** Result of `'expected-gradients'`. */
export interface ExpectedGradientsResult extends ExplainResultBase {
  /** [n, h, w, c]; caller disposes. */
  readonly attribution: tf.Tensor4D;
  /** Baseline row and alpha of every sample, per image (for reproducibility reports). */
  readonly samples: { readonly baselineRows: number[]; readonly alphas: number[] }[];
}

declare module '../../api/types.js' {
  interface MethodRegistry {
    'expected-gradients': { options: ExpectedGradientsOptions; result: ExpectedGradientsResult };
  }
}

/**
 * The seeded sample plan: for image i and sample s (t = i * samples + s) the alpha is uniform
 * value t of the seed's stream and the baseline row is floor(m * uniform value total + t), from
 * the counter-based RNG's CPU reference (identical on every backend).
 */
export function expectedGradientsPlan(images: number, samples: number, baselineCount: number, seed: number) {
  const total = images * samples;
  const u = uniformRef(seed, 0, 2 * total);
  return {
    alphas: u.subarray(0, total),
    weights: new Float64Array(total).fill(1 / samples),
    baselineRows: Uint32Array.from(u.subarray(total), (v) => Math.min(baselineCount - 1, Math.floor(v * baselineCount))),
  };
}

/**
 * `'expected-gradients'` (Erion et al. 2021; Captum `GradientShap` without input noise): the
 * average over samples of (x - b) * d score / d x at x' = b + alpha (x - b), with b drawn from
 * `baselines` and alpha ~ U[0, 1), seeded. Runs on the IG kernels with one baseline row per point.
 *
 * @example
 * const r = await explain(model, image, { method: 'expected-gradients', baselines: background, samples: 64, seed: 3 });
 */
export const expectedGradients: MethodDefinition<'expected-gradients'> = {
  name: 'expected-gradients',
  requires: 'gradients',
  defersInputCheck: true, // read with the clean input's classes and the baselines' check, before the path
  optionNames: EXPECTED_GRADIENTS_OPTION_NAMES,
  create(model, options) {
    const samples = integerOption('expected-gradients', 'samples', options.samples, 5, 1, 1 << 20);
    const seed = seedOption('expected-gradients', options.seed);
    checkBatchingOptions('expected-gradients', options);
    const given = options.baselines;
    if (!(given instanceof tf.Tensor) || given.isDisposed) {
      rejectOptionAs(
        'expected-gradients',
        'baselines',
        'a live tf.Tensor of [m, h, w, c] baseline images',
        given === undefined ? 'nothing' : given instanceof tf.Tensor ? 'a disposed tensor' : describeValue(given),
      );
    }
    return {
      async explain(input, call) {
        const [n, h, w, c] = input.shape;
        const shape = given.shape;
        if ((given.rank !== 3 && given.rank !== 4) || shape.slice(-3).join() !== [h, w, c].join() || given.dtype !== 'float32') {
          throw new ShapeMismatchError(
            `baselines must be float32 [m, ${h}, ${w}, ${c}] (or [${h}, ${w}, ${c}]), got ${given.dtype} [${shape}]`,
          );
        }
        // One forward of the clean input: its classes, its scores' finiteness, the input check and the
        // baselines' in one readback (was 3-4: the input check, the baselines', predict's, the argmax).
        throwIfAborted(call.signal, 'expected-gradients');
        // sum(baselines * 0): 0 when every value is finite, NaN when one is NaN or Inf (a float32
        // value the readback kernel copies; a cast bool keeps its bool buffer on webgpu).
        const finite = tf.tidy(() => tf.reshape(tf.sum(tf.mul(given, 0)), [1]));
        const baselinesCheck = { finite, error: () => new InvalidInputError('baselines contain NaN or Inf values') };
        // The readback travels while the path is recorded ('predicted' seeds it on the device).
        const ahead = classesAhead(model, input, call.target, call.inputCheck, baselinesCheck);
        finite.dispose(); // its readback is recorded already
        const rows = given.rank === 4 ? shape[0] : 1;
        const plan = expectedGradientsPlan(n, samples, rows, seed);
        const baselines = tf.reshape<tf.Rank.R4>(given, [rows, h, w, c]);
        try {
          const attribution = await runPathIntegral(
            {
              model,
              input,
              baselines,
              plan,
              pointsPerImage: samples,
              targets: ahead.seeds(),
              batchSize: chooseBatchSize(h * w * c, n * samples, options),
              label: 'expected-gradients',
            },
            call,
          );
          const target = await ahead.classesFor(attribution);
          const perImage = Array.from({ length: n }, (_, i) => ({
            baselineRows: Array.from(plan.baselineRows.subarray(i * samples, (i + 1) * samples)),
            alphas: Array.from(plan.alphas.subarray(i * samples, (i + 1) * samples)),
          }));
          return { attribution, target, samples: perImage };
        } finally {
          baselines.dispose();
          await ahead.release();
        }
      },
      dispose() {},
    };
  },
};
