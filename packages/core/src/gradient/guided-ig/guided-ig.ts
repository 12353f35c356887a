// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { throwIfAborted } from '@webxai/shaders';
import { givenTargets } from '../../api/targets.js';
import type { CallContext, ExplainResultBase, MethodDefinition } from '../../api/types.js';
import type { InputCheck } from '../../api/input-check.js';
import type { ModelAdapter } from '../../model/types.js';
import { integerOption, numberOption, seedOption } from '../../api/options.js';
import { classesAhead, seededGradients, type ClassSeeds } from '../target-gradients.js';
import { checkBaselineOption, resolveBaselines, type BaselineOption, type ResolvedBaselines } from '../integrated-gradients/baselines.js';
import { blurBaseline, uniformNoiseBaseline } from '../integrated-gradients/special-baselines.js';
import type { OptionNames } from '../../api/option-names.js';
import { checkpoint } from '../../api/abort.js';
import { hasStepKernel, stepByKernel, type StepGeometry } from './step-kernel.js';
import { hostStep, type PathGeometry } from './host-loop.js';
import { GUIDED_IG_L1_TOLERANCE, GUIDED_IG_MAX_ITERATIONS, type StepBounds } from './constants.js';
import { gradientKeepingScores, PendingFirstStepCheck } from './first-step-check.js';
export { GUIDED_IG_KEY_BITS } from './selection.js';
export { GUIDED_IG_L1_TOLERANCE, GUIDED_IG_MAX_ITERATIONS } from './constants.js';

/** Options of `'guided-ig'` (PAIR-code/saliency `GuidedIG.GetMask` defaults). */
export interface GuidedIgOptions {
  /** Path steps (PAIR `x_steps`, default 200). */
  readonly steps?: number;
  /** Fraction of features with the smallest |gradient| moved per iteration (default 0.25). */
  readonly fraction?: number;
  /** Largest relative L1 deviation from the straight line (default 0.02; 0 = IG with a left Riemann sum). */
  readonly maxDist?: number;
  /** Path start, as integrated gradients' (default 'zeros'). */
  readonly baseline?: BaselineOption;
  /** Sigma of a 'blur' baseline (default 50). */
  readonly baselineSigma?: number;
  /** Seed of a 'uniform-noise' baseline (default 0). */
  readonly seed?: number;
}

/** Option names of guided-ig (checked against GuidedIgOptions by the compiler; other names are rejected). */
export const GUIDED_IG_OPTION_NAMES: OptionNames<GuidedIgOptions> = {
  steps: true,
  fraction: true,
  maxDist: true,
  baseline: true,
  baselineSigma: true,
  seed: true,
};

/** Result of `'guided-ig'`. */
export interface GuidedIgResult extends ExplainResultBase {
  /** [n, h, w, c]; caller disposes. */
  readonly attribution: tf.Tensor4D;
}

declare module '../../api/types.js' {
  interface MethodRegistry {
    'guided-ig': { options: GuidedIgOptions; result: GuidedIgResult };
  }
}

/** The checked options guidedIgOf follows (PAIR's x_steps, fraction, max_dist). */
export interface GuidedSettings {
  readonly steps: number;
  readonly fraction: number;
  readonly maxDist: number;
}

/** Where step `step` (from 0) keeps the features and how close to the input it ends. */
function boundsOf(step: number, s: GuidedSettings): StepBounds {
  const alpha = (step + 1) / s.steps;
  return { alphaMin: Math.max(alpha - s.maxDist, 0), alphaMax: Math.min(alpha + s.maxDist, 1), targetFraction: 1 - alpha };
}

/** How a step is taken: the guided-ig-step kernel (webgpu, cpu) or PAIR's loop on the host (host-loop.ts). */
export type GuidedIgLoop = 'kernel' | 'host';

/** Takes one step from `state` with `gradient`; owns and replaces the state's tensors. */
type Stepper = (gradient: tf.Tensor2D, state: PathState, step: number) => Promise<PathState>;

interface PathState {
  readonly x: tf.Tensor2D;
  readonly attribution: tf.Tensor2D;
}

/** The kernel's stepper: one tfjs kernel per step, no readback. */
function kernelStepper(path: StepGeometry, s: GuidedSettings, kth: number): Stepper {
  return (gradient, state, step) => {
    const attributes = { ...boundsOf(step, s), rank: kth + 1, maxIterations: GUIDED_IG_MAX_ITERATIONS, tolerance: GUIDED_IG_L1_TOLERANCE };
    const [x, attribution] = stepByKernel(gradient, path, state.x, state.attribution, attributes);
    tf.dispose([state.x, state.attribution]);
    return Promise.resolve({ x, attribution });
  };
}

/** The host loop's stepper, and the tensors it keeps (hasDiff, safeDiff) to dispose. */
async function hostStepper(path: StepGeometry, s: GuidedSettings, kth: number): Promise<{ step: Stepper; keeps: tf.Tensor[] }> {
  const hasDiff = tf.notEqual<tf.Tensor2D>(path.diff, 0);
  const geometry: PathGeometry = {
    ...path,
    hasDiff,
    safeDiff: tf.tidy(() => tf.where<tf.Tensor2D>(hasDiff, path.diff, tf.onesLike(path.diff))),
  };
  const keeps = [hasDiff, geometry.safeDiff];
  const l1Total = tf.tidy(() => tf.sum(tf.abs(path.diff), 1));
  let totals: number[];
  try {
    totals = Array.from(await l1Total.data());
  } catch (error) {
    tf.dispose(keeps);
    throw error;
  } finally {
    l1Total.dispose();
  }
  return { step: (gradient, state, step) => hostStep(gradient, geometry, totals, state, boundsOf(step, s), kth), keeps };
}

/**
 * What the first step's gradient pass checks when no prediction came before it (a given target):
 * the classes against the model's, its scores finite, and the input's pending NaN / Inf check, in
 * one readback awaited once the second step is recorded (first-step-check.ts).
 */
export interface FirstStepCheck {
  readonly inputCheck: InputCheck | undefined;
  /** The given classes, one per image. */
  readonly targets: readonly number[];
}

/**
 * The [n, size] gradient at `x` (disposed by the caller; `x` is disposed here) for `targets`; for
 * the first step's check (`check`, given classes), also the pass's scores.
 */
function stepGradient(
  model: ModelAdapter,
  x: tf.Tensor4D,
  targets: ClassSeeds,
  check: FirstStepCheck | undefined,
): { gradient: tf.Tensor2D; scores?: tf.Tensor2D } {
  try {
    const images = Array.from({ length: x.shape[0] }, (_, i) => i);
    const pass = check ? gradientKeepingScores(model, x, check.targets) : { gradient: seededGradients(model, x, targets, images) };
    const rows = tf.reshape<tf.Rank.R2>(pass.gradient, [x.shape[0], x.size / x.shape[0]]);
    pass.gradient.dispose();
    return { ...pass, gradient: rows };
  } finally {
    x.dispose();
  }
}

/**
 * Guided IG for a batch: every image follows its own adaptive path; the batch shares one gradient
 * pass per step. Each step is one guided-ig-step kernel (`loop` 'kernel', webgpu and cpu: the
 * selection loop runs on the GPU, f32) or PAIR's loop on the host (`loop` 'host', other backends:
 * one readback per selection iteration, gamma in f64).
 */
export async function guidedIgOf(
  model: ModelAdapter,
  input: tf.Tensor4D,
  baseline: tf.Tensor4D,
  targets: ClassSeeds,
  s: GuidedSettings,
  call: Pick<CallContext, 'signal' | 'onProgress'> & {
    readonly loop: GuidedIgLoop;
    readonly firstCheck?: FirstStepCheck | undefined;
    /** The checked classes on their way (classesAhead's): awaited where the first step's check is. */
    readonly classes?: Promise<unknown> | undefined;
  },
): Promise<tf.Tensor4D> {
  const [n, h, w, c] = input.shape;
  const size = h * w * c;
  const xIn = tf.reshape<tf.Rank.R2>(input, [n, size]);
  const xBase = tf.reshape<tf.Rank.R2>(baseline, [n, size]);
  const path: StepGeometry = { xIn, xBase, diff: tf.sub<tf.Tensor2D>(xIn, xBase) };
  const kth = Math.floor(s.fraction * (size - 1)); // numpy quantile, interpolation 'lower'
  const keeps: tf.Tensor[] = [xIn, xBase, path.diff];
  let state: PathState = { x: xBase.clone(), attribution: tf.zerosLike<tf.Tensor2D>(xIn) };
  const firstCheck = new PendingFirstStepCheck();
  try {
    let stepper = kernelStepper(path, s, kth);
    if (call.loop === 'host') {
      const host = await hostStepper(path, s, kth);
      keeps.push(...host.keeps);
      stepper = host.step;
    }
    for (let step = 0; step < s.steps; step++) {
      await checkpoint(call.signal, 'guided-ig');
      const check = step === 0 ? call.firstCheck : undefined;
      const pass = stepGradient(model, tf.reshape<tf.Rank.R4>(state.x, [n, h, w, c]), targets, check);
      if (check && pass.scores) firstCheck.start(model, { scores: pass.scores, inputCheck: check.inputCheck }, check.targets);
      state = await stepper(pass.gradient, state, step).finally(() => pass.gradient.dispose());
      // The GPU still has step 1's work while the host waits.
      if (step === 1) await Promise.all([firstCheck.settle(), call.classes]);
      call.onProgress?.({ done: step + 1, total: s.steps });
    }
    await Promise.all([firstCheck.settle(), call.classes]); // a one-step path
    return tf.reshape<tf.Rank.R4>(state.attribution, [n, h, w, c]);
  } finally {
    await firstCheck.dispose();
    tf.dispose([...keeps, state.x, state.attribution]);
  }
}

/**
 * {@link guidedIgOf} from resolved `baselines` (disposed here): each image's baseline row, the step
 * loop this backend has, and the first step's check when the classes are `given` (else `classes`,
 * classesAhead's read, is awaited in its place).
 */
async function guidedIgWith(
  model: ModelAdapter,
  input: tf.Tensor4D,
  baselines: ResolvedBaselines,
  seeds: ClassSeeds,
  settings: GuidedSettings,
  call: CallContext & { readonly given: readonly number[] | undefined; readonly classes: Promise<number[]> | undefined },
): Promise<tf.Tensor4D> {
  try {
    const rows = Array.from({ length: input.shape[0] }, (_, i) => baselines.rowOf(i));
    const perImage = tf.gather<tf.Tensor4D>(baselines.tensor, rows);
    try {
      const loop = hasStepKernel() ? 'kernel' : 'host';
      const firstCheck = call.given ? { inputCheck: call.inputCheck, targets: call.given } : undefined;
      return await guidedIgOf(model, input, perImage, seeds, settings, { ...call, loop, firstCheck });
    } finally {
      perImage.dispose();
    }
  } finally {
    baselines.tensor.dispose();
  }
}

/**
 * `'guided-ig'` (Kapishnikov et al. 2021, "Guided Integrated Gradients"; PAIR-code/saliency
 * `GuidedIG`): an adaptive path from the baseline that, at every step, moves the features with the
 * smallest |gradient| first, staying within `maxDist` of the straight line. Differences from PAIR:
 * - f32 instead of f64: on webgpu and cpu the L1 sums and gamma too (each step's selection loop is
 *   one GPU kernel, its sums in a fixed order that the cpu backend repeats; ADR 0012); on other
 *   backends the sums are f32 tfjs reductions and gamma is f64 on the host;
 * - L1 targets matched within {@link GUIDED_IG_L1_TOLERANCE} of the total, at most
 *   {@link GUIDED_IG_MAX_ITERATIONS} selection rounds per step;
 * - |gradient| compared on a grid of 2^-{@link GUIDED_IG_KEY_BITS} of the image's largest |gradient|
 *   (features closer than that count as tied and move together), so the webgpu and cpu backends
 *   choose the same features;
 * - the attribution of a step is (x_end - x_start) * gradient, summed once rather than per
 *   selection round (the same sum: the gradient is fixed within a step; f32 rounding differs).
 *
 * @example
 * const r = await explain(model, image, { method: 'guided-ig', steps: 200 });
 */
export const guidedIg: MethodDefinition<'guided-ig'> = {
  name: 'guided-ig',
  requires: 'gradients',
  optionNames: GUIDED_IG_OPTION_NAMES,
  // Read with the first step's gradient (a given target) or in the prediction's one readback ('predicted').
  defersInputCheck: true,
  create(model, options) {
    const settings: GuidedSettings = {
      steps: integerOption('guided-ig', 'steps', options.steps, 200, 1, 1 << 20),
      fraction: numberOption('guided-ig', 'fraction', options.fraction, 0.25, 0, 1),
      maxDist: numberOption('guided-ig', 'maxDist', options.maxDist, 0.02, 0, 1),
    };
    checkBaselineOption('guided-ig', options.baseline);
    const sigma = numberOption('guided-ig', 'baselineSigma', options.baselineSigma, 50, 0);
    const seed = seedOption('guided-ig', options.seed);
    return {
      async explain(input, call) {
        // A given class needs no prediction: the first step's gradient pass checks it (and the input).
        // 'predicted': one forward, the classes read back with the input's check (classesAhead) while
        // the first two steps are recorded, seeded on the device by the argmax.
        const given = givenTargets(call.target, input.shape[0]);
        throwIfAborted(call.signal, 'guided-ig');
        const ahead = given ? undefined : classesAhead(model, input, call.target, call.inputCheck);
        try {
          const seeds = given ?? ahead!.seeds();
          const baselines = await resolveBaselines(options.baseline, input, {
            blur: (x) => blurBaseline(x, sigma, call.path),
            uniformNoise: (x) => uniformNoiseBaseline(x, seed, call.path),
          });
          const attribution = await guidedIgWith(model, input, baselines, seeds, settings, { ...call, given, classes: ahead?.classes });
          return { attribution, target: given ?? (await ahead!.classes) };
        } finally {
          await ahead?.release();
        }
      },
      dispose() {},
    };
  },
};
