// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { resolveTargets } from '../../api/targets.js';
import type { CallContext, ExplainResultBase, MethodDefinition } from '../../api/types.js';
import type { ModelAdapter } from '../../model/types.js';
import { chooseBatchSize, checkBatchingOptions, type BatchingOptions } from '../shared/batching.js';
import { choiceOption, integerOption, numberOption, rejectOption, seedOption } from '../../api/options.js';
import { runPathIntegral } from '../shared/path-integral.js';
import { targetScores } from '../target-gradients.js';
import { blurBaseline, uniformNoiseBaseline } from './special-baselines.js';
import { checkBaselineOption, resolveBaselines, type BaselineOption } from './baselines.js';
import { INTEGRATION_RULES, integrationRule, type IntegrationRule } from './rules.js';
import type { OptionNames } from '../../api/option-names.js';

/** Options of `'integrated-gradients'` (Captum `IntegratedGradients` defaults). */
export interface IntegratedGradientsOptions extends BatchingOptions {
  /** Points on the path (Captum `n_steps`, default 50). */
  readonly steps?: number;
  /** Quadrature rule (Captum `method`, default 'gauss-legendre'). */
  readonly rule?: IntegrationRule;
  /** Path start (default 'zeros'). */
  readonly baseline?: BaselineOption;
  /** Gaussian sigma in pixels of the `'blur'` baseline (default 50, Blur IG's `max_sigma`). */
  readonly baselineSigma?: number;
  /** Seed of the `'uniform-noise'` baseline (default 0). */
  readonly seed?: number;
}

/** Option names of integrated-gradients (checked against IntegratedGradientsOptions by the compiler; other names are rejected). */
export const INTEGRATED_GRADIENTS_OPTION_NAMES: OptionNames<IntegratedGradientsOptions> = {
  steps: true,
  rule: true,
  baseline: true,
  baselineSigma: true,
  seed: true,
  batchSize: true,
  memoryBudgetMB: true,
};

/** Result of `'integrated-gradients'`. */
export interface IntegratedGradientsResult extends ExplainResultBase {
  /** [n, h, w, c] attribution; caller disposes. */
  readonly attribution: tf.Tensor4D;
  /** Convergence delta per image: sum(attribution) - (f(x) - f(baseline)) for the target score. */
  readonly delta: number[];
}

declare module '../../api/types.js' {
  interface MethodRegistry {
    'integrated-gradients': { options: IntegratedGradientsOptions; result: IntegratedGradientsResult };
  }
}

/** Checked IG settings. */
export interface IgSettings extends BatchingOptions {
  readonly steps: number;
  readonly rule: IntegrationRule;
  readonly baseline: BaselineOption | undefined;
  readonly baselineSigma: number;
  readonly seed: number;
}

/** Validates IG options (InvalidOptionError naming the option). */
export function igSettings(options: IntegratedGradientsOptions): IgSettings {
  const rule = choiceOption('integrated-gradients', 'rule', options.rule, 'gauss-legendre', INTEGRATION_RULES);
  const steps = integerOption('integrated-gradients', 'steps', options.steps, 50, 1, 1 << 20);
  if (rule !== 'gauss-legendre' && steps < 2) rejectOption('integrated-gradients', 'steps', `>= 2 for rule '${rule}'`, steps);
  checkBaselineOption('integrated-gradients', options.baseline);
  checkBatchingOptions('integrated-gradients', options);
  return {
    steps,
    rule,
    baseline: options.baseline,
    baselineSigma: numberOption('integrated-gradients', 'baselineSigma', options.baselineSigma, 50, 0),
    seed: seedOption('integrated-gradients', options.seed),
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    ...(options.memoryBudgetMB !== undefined ? { memoryBudgetMB: options.memoryBudgetMB } : {}),
  };
}

/**
 * Integrated gradients of `input` [n, h, w, c] for `targets` (one per image), on `call.path`.
 * Returns the attribution and, when `withDelta`, the convergence delta per image (`inputScores`,
 * each image's target score when the caller already has it, saves a forward pass).
 */
export async function integratedGradientsOf(
  model: ModelAdapter,
  input: tf.Tensor4D,
  targets: readonly number[],
  settings: IgSettings,
  call: Pick<CallContext, 'signal' | 'onProgress' | 'path'>,
  withDelta: boolean,
  inputScores?: readonly number[],
): Promise<{ attribution: tf.Tensor4D; delta: number[] }> {
  const [n, h, w, c] = input.shape;
  const { alphas, weights } = integrationRule(settings.rule, settings.steps);
  const baselines = await resolveBaselines(settings.baseline, input, {
    blur: (x) => blurBaseline(x, settings.baselineSigma, call.path),
    uniformNoise: (x) => uniformNoiseBaseline(x, settings.seed, call.path),
  });
  try {
    const total = n * settings.steps;
    const plan = {
      alphas: Float64Array.from({ length: total }, (_, t) => alphas[t % settings.steps]!),
      weights: Float64Array.from({ length: total }, (_, t) => weights[t % settings.steps]!),
      baselineRows: Uint32Array.from({ length: total }, (_, t) => baselines.rowOf(Math.floor(t / settings.steps))),
    };
    const attribution = await runPathIntegral(
      {
        model,
        input,
        baselines: baselines.tensor,
        plan,
        pointsPerImage: settings.steps,
        targets,
        batchSize: chooseBatchSize(h * w * c, total, settings),
        label: 'integrated-gradients',
      },
      call,
    );
    if (!withDelta) return { attribution, delta: [] };
    try {
      const sums = tf.sum(attribution, [1, 2, 3]);
      const totals = Array.from(await sums.data());
      sums.dispose();
      const fx = inputScores ?? (await targetScores(model, input, targets));
      const rows = Array.from({ length: n }, (_, i) => baselines.rowOf(i));
      const rowBaselines = tf.gather(baselines.tensor, rows) as tf.Tensor4D;
      const fb = await targetScores(model, rowBaselines, targets).finally(() => rowBaselines.dispose());
      return { attribution, delta: totals.map((s, i) => s - (fx[i]! - fb[i]!)) };
    } catch (error) {
      attribution.dispose();
      throw error;
    }
  } finally {
    baselines.tensor.dispose();
  }
}

/**
 * `'integrated-gradients'` (Sundararajan et al. 2017; Captum `IntegratedGradients`): the path
 * integral of the target score's gradient from the baseline to the input, with Captum's
 * quadrature rules, batched over path points and images.
 *
 * @example
 * const r = await explain(model, image, { method: 'integrated-gradients', steps: 64 });
 * r.attribution; // [1, h, w, c]; r.delta: [-0.0003]
 */
export const integratedGradients: MethodDefinition<'integrated-gradients'> = {
  name: 'integrated-gradients',
  requires: 'gradients',
  optionNames: INTEGRATED_GRADIENTS_OPTION_NAMES,
  create(model, options) {
    const settings = igSettings(options);
    return {
      async explain(input, call) {
        const scores = await model.predict(input, call.signal);
        let target: number[];
        let fx: number[];
        try {
          target = await resolveTargets(call.target, scores);
          const values = await scores.data(); // [n, classes]: f(x) for the delta, read once
          fx = target.map((t, i) => values[i * scores.shape[1] + t]!);
        } finally {
          scores.dispose();
        }
        const { attribution, delta } = await integratedGradientsOf(model, input, target, settings, call, true, fx);
        return { attribution, target, delta };
      },
      dispose() {},
    };
  },
};
