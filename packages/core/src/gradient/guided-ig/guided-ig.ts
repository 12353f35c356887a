// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { resolveTargets } from '../../api/targets.js';
import type { CallContext, ExplainResultBase, MethodDefinition } from '../../api/types.js';
import type { ModelAdapter } from '../../model/types.js';
import { integerOption, numberOption, seedOption } from '../../api/options.js';
import { targetGradients } from '../target-gradients.js';
import { checkBaselineOption, resolveBaselines, type BaselineOption } from '../integrated-gradients/baselines.js';
import { blurBaseline, uniformNoiseBaseline } from '../integrated-gradients/special-baselines.js';
import type { OptionNames } from '../../api/option-names.js';
import { checkpoint } from '../../api/abort.js';
import { selectSmallestGradients } from './selection.js';
import { clipByKernel, hasGuidedIgKernels } from './kernels.js';
export { GUIDED_IG_KEY_BITS } from './selection.js';

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

/**
 * PAIR compares L1 distances with 1e-9 in float64; in f32 the sums carry ~1e-7 relative error, so
 * "close" here is within this fraction of the image's total L1 distance.
 */
export const GUIDED_IG_L1_TOLERANCE = 1e-5;
/** Safety cap on the selection iterations of one step (PAIR loops until the L1 target is met). */
export const GUIDED_IG_MAX_ITERATIONS = 64;

interface GuidedSettings {
  readonly steps: number;
  readonly fraction: number;
  readonly maxDist: number;
}

/** The sum of |a - b| per row. */
function l1Distance(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.sum(tf.abs(tf.sub(a, b)), 1));
}

/** The L1 distance to x_max of the selected features (`selected`: a 1 / 0 mask), per row. */
function selectableL1(clipped: tf.Tensor2D, xMax: tf.Tensor2D, selected: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.sum(tf.mul(tf.abs(tf.sub(clipped, xMax)), selected), 1));
}

/** Reads one or two [n] vectors back in one readback (stacked), as number arrays; disposes them. */
async function readRows(first: tf.Tensor1D, second?: tf.Tensor1D): Promise<[number[], number[]]> {
  const rows = second ? [first, second] : [first];
  const stacked = tf.tidy(() => tf.stack(rows));
  tf.dispose(rows);
  const values = await stacked.data().finally(() => stacked.dispose());
  const n = first.shape[0];
  return [Array.from(values.subarray(0, n)), Array.from(values.subarray(n))];
}

/** Per-explanation constants of the path: where the input differs from the baseline, and a divisor safe to use. */
export interface PathGeometry {
  readonly xBase: tf.Tensor2D;
  readonly diff: tf.Tensor2D;
  readonly hasDiff: tf.Tensor2D;
  readonly safeDiff: tf.Tensor2D;
}

/**
 * Features that fell behind alpha_min jump to x_min (PAIR: x[x_alpha < alpha_min] = x_min), in
 * images still `going`. Where the input equals the baseline, x_alpha is alpha_max (never behind).
 * On webgpu and cpu one kernel (kernels.ts), elsewhere tfjs ops: the same values.
 */
function clipBehind(x: tf.Tensor2D, xMin: tf.Tensor2D, alphaMin: number, path: PathGeometry, going: readonly boolean[]): tf.Tensor2D {
  return tf.tidy(() => {
    const flags = tf.tensor2d(going.map(Number), [going.length, 1]);
    if (hasGuidedIgKernels()) return clipByKernel(x, path.xBase, path.diff, xMin, flags, alphaMin);
    return clipByTfjsOps(x, xMin, alphaMin, path, flags);
  });
}

/** {@link clipBehind} as tfjs ops (backends without the kernel; its test's oracle). `going`: [n, 1], 1 / 0. */
export function clipByTfjsOps(x: tf.Tensor2D, xMin: tf.Tensor2D, alphaMin: number, path: PathGeometry, going: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const behind = tf.logicalAnd(path.hasDiff, tf.less(tf.div(tf.sub(x, path.xBase), path.safeDiff), alphaMin));
    return tf.where<tf.Tensor2D>(tf.logicalAnd(tf.cast(going, 'bool'), behind), xMin, x);
  });
}

/**
 * The next point: selected features of moving images go all the way to x_max (gamma > 1) or a
 * fraction gamma of the way. x_max is assigned, not computed, so that `x == x_max` marks finished
 * features exactly. Masks that are all true or all false are left out (the same values, fewer ops).
 */
function nextPoint(
  clipped: tf.Tensor2D,
  xMax: tf.Tensor2D,
  selected: tf.Tensor2D,
  moving: readonly boolean[],
  gamma: readonly number[],
): tf.Tensor2D {
  const n = moving.length;
  if (!moving.some(Boolean)) return clipped.clone();
  return tf.tidy(() => {
    const partial = () =>
      tf.add(
        clipped,
        tf.mul(
          tf.sub(xMax, clipped),
          tf.tensor2d(
            gamma.map((g) => Math.min(g, 1)),
            [n, 1],
          ),
        ),
      );
    const allTheWay = gamma.map((g) => g > 1);
    const moved = allTheWay.every(Boolean)
      ? xMax
      : !allTheWay.some(Boolean)
        ? partial()
        : tf.where(tf.broadcastTo(tf.cast(tf.tensor2d(allTheWay.map(Number), [n, 1]), 'bool'), clipped.shape), xMax, partial());
    const chosen = tf.cast(selected, 'bool');
    const mask = moving.every(Boolean) ? chosen : tf.logicalAnd(chosen, tf.cast(tf.tensor2d(moving.map(Number), [n, 1]), 'bool'));
    return tf.where(mask, moved, clipped) as tf.Tensor2D;
  });
}

/**
 * Guided IG for a batch: every image follows its own adaptive path; the batch shares one gradient
 * pass per step. All tensor work runs as tfjs ops on the active backend, the selection and the
 * catch-up to x_min as webxai kernels registered with tfjs (kernels.ts); per selection iteration
 * one readback (current L1 distance, with the selectable L1 when selected) drives PAIR's loop.
 */
async function guidedIgOf(
  model: ModelAdapter,
  input: tf.Tensor4D,
  baseline: tf.Tensor4D,
  targets: readonly number[],
  s: GuidedSettings,
  call: Pick<CallContext, 'signal' | 'onProgress'>,
): Promise<tf.Tensor4D> {
  const [n, h, w, c] = input.shape;
  const size = h * w * c;
  const xIn = tf.reshape<tf.Rank.R2>(input, [n, size]);
  const xBase = tf.reshape<tf.Rank.R2>(baseline, [n, size]);
  const diff = tf.sub<tf.Tensor2D>(xIn, xBase);
  const hasDiff = tf.notEqual<tf.Tensor2D>(diff, 0);
  const path: PathGeometry = { xBase, diff, hasDiff, safeDiff: tf.tidy(() => tf.where<tf.Tensor2D>(hasDiff, diff, tf.onesLike(diff))) };
  const l1Total = tf.tidy(() => tf.sum(tf.abs(diff), 1));
  const totals = Array.from(await l1Total.data());
  l1Total.dispose();
  let x = xBase.clone();
  let attribution = tf.zerosLike<tf.Tensor2D>(xIn);
  const kth = Math.floor(s.fraction * (size - 1)); // numpy quantile, interpolation 'lower'
  const dispose = () => tf.dispose([xIn, xBase, diff, hasDiff, path.safeDiff, x, attribution]);
  try {
    for (let step = 0; step < s.steps; step++) {
      await checkpoint(call.signal, 'guided-ig');
      const gradient = tf.tidy(() =>
        tf.reshape<tf.Rank.R2>(targetGradients(model, tf.reshape<tf.Rank.R4>(x, [n, h, w, c]), targets), [n, size]),
      );
      const alpha = (step + 1) / s.steps;
      const alphaMin = Math.max(alpha - s.maxDist, 0);
      const alphaMax = Math.min(alpha + s.maxDist, 1);
      const l1Target = totals.map((t) => t * (1 - (step + 1) / s.steps));
      const bounds = tf.tidy(
        () => [tf.add(xBase, tf.mul(diff, alphaMin)), tf.add(xBase, tf.mul(diff, alphaMax))] as [tf.Tensor2D, tf.Tensor2D],
      );
      const [xMin, xMax] = bounds;
      let going = totals.map((t) => t > 0); // images still iterating in this step
      let expectClose = false;
      try {
        for (let iteration = 0; iteration < GUIDED_IG_MAX_ITERATIONS && going.some(Boolean); iteration++) {
          const clipped = clipBehind(x, xMin, alphaMin, path, going);
          let current: number[];
          let selected: tf.Tensor2D | undefined;
          let selectable: number[] = [];
          if (expectClose) {
            // After partial moves the images are usually at their targets: check before selecting.
            [current] = await readRows(l1Distance(clipped, xIn));
          } else {
            // The selection does not depend on the current L1 distance: both sums come back in one
            // readback (an awaited round trip is ~3 ms on lavapipe).
            selected = selectSmallestGradients(gradient, clipped, xMax, kth);
            [current, selectable] = await readRows(l1Distance(clipped, xIn), selectableL1(clipped, xMax, selected));
          }
          const close = going.map((g, i) => g && Math.abs(l1Target[i]! - current[i]!) <= GUIDED_IG_L1_TOLERANCE * totals[i]!);
          const moving = going.map((g, i) => g && !close[i]);
          if (!selected && moving.some(Boolean)) {
            // Select the `fraction` of features with the smallest |gradient| among those not at x_max.
            // (quantised |gradient| with an explicit tie rule, so webgpu and cpu pick the same features)
            selected = selectSmallestGradients(gradient, clipped, xMax, kth);
            [selectable] = await readRows(selectableL1(clipped, xMax, selected));
          }
          const gamma = moving.map((m, i) =>
            !m ? 0 : selectable[i]! > 0 ? (current[i]! - l1Target[i]!) / selectable[i]! : Number.POSITIVE_INFINITY,
          );
          const next = selected ? nextPoint(clipped, xMax, selected, moving, gamma) : clipped.clone();
          const updated = tf.tidy(() => tf.add<tf.Tensor2D>(attribution, tf.mul(tf.sub(next, x), gradient)));
          tf.dispose([clipped, x, attribution]);
          selected?.dispose();
          x = next;
          attribution = updated;
          going = moving;
          expectClose = moving.some(Boolean) && gamma.every((g) => g <= 1);
        }
      } finally {
        tf.dispose([gradient, xMin, xMax]);
      }
      call.onProgress?.({ done: step + 1, total: s.steps });
    }
    const result = tf.reshape<tf.Rank.R4>(attribution, [n, h, w, c]);
    return result;
  } finally {
    dispose();
  }
}

/**
 * `'guided-ig'` (Kapishnikov et al. 2021, "Guided Integrated Gradients"; PAIR-code/saliency
 * `GuidedIG`): an adaptive path from the baseline that, at every step, moves the features with the
 * smallest |gradient| first, staying within `maxDist` of the straight line. Differences from PAIR:
 * f32 instead of f64, L1 targets matched within {@link GUIDED_IG_L1_TOLERANCE} of the total, at
 * most {@link GUIDED_IG_MAX_ITERATIONS} selection rounds per step, and |gradient| compared on a
 * grid of 2^-{@link GUIDED_IG_KEY_BITS} of the image's largest |gradient| (features closer than
 * that count as tied and move together), so the webgpu and cpu backends choose the same features.
 *
 * @example
 * const r = await explain(model, image, { method: 'guided-ig', steps: 200 });
 */
export const guidedIg: MethodDefinition<'guided-ig'> = {
  name: 'guided-ig',
  requires: 'gradients',
  optionNames: GUIDED_IG_OPTION_NAMES,
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
        const scores = await model.predict(input, call.signal);
        const target = await resolveTargets(call.target, scores).finally(() => scores.dispose());
        const baselines = await resolveBaselines(options.baseline, input, {
          blur: (x) => blurBaseline(x, sigma, call.path),
          uniformNoise: (x) => uniformNoiseBaseline(x, seed, call.path),
        });
        try {
          const perImage = tf.gather<tf.Tensor4D>(
            baselines.tensor,
            Array.from({ length: input.shape[0] }, (_, i) => baselines.rowOf(i)),
          );
          try {
            return { attribution: await guidedIgOf(model, input, perImage, target, settings, call), target };
          } finally {
            perImage.dispose();
          }
        } finally {
          baselines.tensor.dispose();
        }
      },
      dispose() {},
    };
  },
};
