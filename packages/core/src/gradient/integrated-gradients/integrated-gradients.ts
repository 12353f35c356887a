// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { throwIfAborted, UnsupportedModelError } from '@webxai/shaders';
import { checkTargetClass, givenTargets } from '../../api/targets.js';
import type { CallContext, ExecutionPath, ExplainResultBase, MethodDefinition } from '../../api/types.js';
import type { ModelAdapter } from '../../model/types.js';
import { readChecked } from '../../api/input-check.js';
import { chooseBatchSize, checkBatchingOptions, type BatchingOptions } from '../shared/batching.js';
import { choiceOption, integerOption, numberOption, rejectOption, seedOption } from '../../api/options.js';
import { runPathIntegral } from '../shared/path-integral.js';
import { chosenMask } from '../score-seed.js';
import type { ClassSeeds } from '../target-gradients.js';
import { blurBaseline, uniformNoiseBaseline } from './special-baselines.js';
import { checkBaselineOption, resolveBaselines, type BaselineOption, type ResolvedBaselines } from './baselines.js';
import { INTEGRATION_RULES, integrationRule, type IntegrationRule } from './rules.js';
import type { OptionNames } from '../../api/option-names.js';
import { checkFiniteScores } from '../../model/non-finite-scores.js';

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

/** The baselines of `settings` for `input` (blur and uniform noise on `path`); caller disposes the tensor. */
function igBaselines(input: tf.Tensor4D, settings: IgSettings, path: ExecutionPath): Promise<ResolvedBaselines> {
  return resolveBaselines(settings.baseline, input, {
    blur: (x) => blurBaseline(x, settings.baselineSigma, path),
    uniformNoise: (x) => uniformNoiseBaseline(x, settings.seed, path),
  });
}

/** The batched path integral from `baselines` to `input` for `targets` (one per image); caller disposes. */
function igPathIntegral(
  model: ModelAdapter,
  input: tf.Tensor4D,
  baselines: ResolvedBaselines,
  targets: ClassSeeds,
  settings: IgSettings,
  call: Pick<CallContext, 'signal' | 'onProgress' | 'path'>,
): Promise<tf.Tensor4D> {
  const [n, h, w, c] = input.shape;
  const { alphas, weights } = integrationRule(settings.rule, settings.steps);
  const total = n * settings.steps;
  const plan = {
    alphas: Float64Array.from({ length: total }, (_, t) => alphas[t % settings.steps]!),
    weights: Float64Array.from({ length: total }, (_, t) => weights[t % settings.steps]!),
    baselineRows: Uint32Array.from({ length: total }, (_, t) => baselines.rowOf(Math.floor(t / settings.steps))),
  };
  return runPathIntegral(
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
}

/**
 * Integrated gradients of `input` [n, h, w, c] for `targets` (one per image), on `call.path`: the
 * attribution alone (no delta, no readback), for methods built on IG (XRAI, SmoothGrad over IG).
 */
export async function integratedGradientsOf(
  model: ModelAdapter,
  input: tf.Tensor4D,
  targets: ClassSeeds,
  settings: IgSettings,
  call: Pick<CallContext, 'signal' | 'onProgress' | 'path'>,
): Promise<tf.Tensor4D> {
  const baselines = await igBaselines(input, settings, call.path);
  try {
    return await igPathIntegral(model, input, baselines, targets, settings, call);
  } finally {
    baselines.tensor.dispose();
  }
}

/** The path's two ends in ONE forward pass over [inputs; their baselines]: [2n, classes] scores, on the device (the caller disposes them). */
function endpointForward(
  model: ModelAdapter,
  input: tf.Tensor4D,
  baselines: ResolvedBaselines,
  signal: AbortSignal | undefined,
): tf.Tensor2D {
  throwIfAborted(signal, 'integrated-gradients');
  const forward = model.forward;
  if (!forward) throw new UnsupportedModelError(`a ${model.kind} model has no differentiable forward pass`);
  const rows = Array.from({ length: input.shape[0] }, (_, i) => baselines.rowOf(i));
  return tf.tidy(() => forward(tf.concat([input, tf.gather<tf.Tensor4D>(baselines.tensor, rows)])));
}

/**
 * f(x)[target] and f(baseline)[target] per image from the end points' scores read back ([2n,
 * classes] values). NaN or Inf scores -> ModelError, as `predict`.
 */
function endValues(values: Float32Array, targets: readonly number[], classes: number, kind: string): { fx: number[]; fb: number[] } {
  checkFiniteScores(values, kind);
  const n = targets.length;
  return { fx: targets.map((t, i) => values[i * classes + t]!), fb: targets.map((t, i) => values[(n + i) * classes + t]!) };
}

/**
 * Integrated gradients with ONE readback: the end points' forward is sent before the path and its
 * scores come back after it with the attribution's sums (and a pending input check:
 * InvalidInputError first), so no round trip waits between them (a frame or more behind a browser's
 * GPU process). `given` classes are checked against the scores' shape first; without them each
 * image's class is its argMax at the input (first maximum), found and used on the device (the path's
 * seeds are its one-hot rows) and read back with the sums.
 */
async function integratedGradientsOneReadback(
  model: ModelAdapter,
  input: tf.Tensor4D,
  baselines: ResolvedBaselines,
  given: number[] | undefined,
  settings: IgSettings,
  call: Pick<CallContext, 'signal' | 'onProgress' | 'path' | 'inputCheck' | 'markDrained'>,
): Promise<{ attribution: tf.Tensor4D; target: number[]; delta: number[] }> {
  const n = input.shape[0];
  const scores = endpointForward(model, input, baselines, call.signal);
  const classes = scores.shape[1];
  const chosen = given ? undefined : tf.tidy(() => tf.argMax<tf.Tensor1D>(tf.slice(scores, [0, 0], [n, classes]), 1));
  const masks = chosen && chosenMask(chosen, classes);
  try {
    for (const t of given ?? []) checkTargetClass(t, classes);
    const attribution = await igPathIntegral(model, input, baselines, given ?? masks!, settings, call);
    try {
      const sums = tf.sum(attribution, [1, 2, 3]);
      const read = await readChecked(call.inputCheck, [scores, sums, chosen]).finally(() => sums.dispose());
      call.markDrained?.(); // the sums waited for the whole path; the rest is host arithmetic
      const target = given ?? Array.from(read.subarray(scores.size + n));
      const { fx, fb } = endValues(read.subarray(0, scores.size), target, classes, model.kind);
      const totals = read.subarray(scores.size, scores.size + n);
      return { attribution, target, delta: target.map((_, i) => totals[i]! - (fx[i]! - fb[i]!)) };
    } catch (error) {
      attribution.dispose();
      throw error;
    }
  } finally {
    tf.dispose([scores, chosen, masks]);
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
  defersInputCheck: true, // read with the end points' scores and the sums, after the path
  takesClassRows: true,
  optionNames: INTEGRATED_GRADIENTS_OPTION_NAMES,
  create(model, options) {
    const settings = igSettings(options);
    return {
      async explain(input, call) {
        const baselines = await igBaselines(input, settings, call.path);
        try {
          const given = givenTargets(call.target, input.shape[0]);
          // Only the path: the end points' forward and the readback feed the delta alone.
          const seeds = call.attributionOnly && (call.attributionOnly.classRows ?? given);
          if (seeds) {
            return { attribution: await igPathIntegral(model, input, baselines, seeds, settings, call), target: given ?? [], delta: [] };
          }
          return await integratedGradientsOneReadback(model, input, baselines, given, settings, call);
        } finally {
          baselines.tensor.dispose();
        }
      },
      dispose() {},
    };
  },
};
