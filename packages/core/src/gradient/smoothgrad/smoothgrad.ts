// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { throwIfAborted, type SmoothGradInner, type SmoothGradVariant } from '@webxai/shaders';
import { givenTargets } from '../../api/targets.js';
import type { ExplainResultBase, MethodDefinition } from '../../api/types.js';
import { chooseBatchSize, checkBatchingOptions, type BatchingOptions } from '../shared/batching.js';
import { booleanOption, choiceOption, integerOption, numberOption, rejectOption, rejectOptionAs, seedOption } from '../../api/options.js';
import { classesAhead, gradientForTarget, seededGradients, type ClassSeeds } from '../target-gradients.js';
import {
  igSettings,
  integratedGradientsOf,
  INTEGRATED_GRADIENTS_OPTION_NAMES,
  type IntegratedGradientsOptions,
} from '../integrated-gradients/integrated-gradients.js';
import { SALIENCY_OPTION_NAMES, type SaliencyOptions } from '../saliency/saliency.js';
import { createSampleOps, type SampleOps } from './sample-ops.js';
import { checkOptionNames, type OptionNames } from '../../api/option-names.js';
import { checkpoint } from '../../api/abort.js';
import type { InputCheck } from '../../api/input-check.js';
import type { ModelAdapter } from '../../model/types.js';

/** Methods SmoothGrad can wrap. */
export type SmoothGradInnerMethod = 'saliency' | 'gradient-x-input' | 'integrated-gradients';

/** Options of `'smoothgrad'`. */
export interface SmoothGradOptions extends BatchingOptions {
  /** 'mean' (SmoothGrad, default), 'squared' (SmoothGrad^2) or 'variance' (VarGrad), as Captum's NoiseTunnel. */
  readonly variant?: SmoothGradVariant;
  /** Noisy samples per image (default 50, as PAIR). */
  readonly samples?: number;
  /** Noise std as a fraction of each image's max - min (default 0.15, PAIR's stdev_spread). */
  readonly noiseLevel?: number;
  /** The wrapped method (default 'saliency', i.e. |gradient| as Captum's Saliency). */
  readonly inner?: SmoothGradInnerMethod;
  /** Options of the wrapped method: `{ abs }` for saliency, IG's options for integrated-gradients. */
  readonly innerOptions?: SaliencyOptions | IntegratedGradientsOptions;
  /** Noise seed (default 0): the same seed gives the same result on the same backend. */
  readonly seed?: number;
}

/** Option names of smoothgrad (checked against SmoothGradOptions by the compiler; other names are rejected). */
export const SMOOTHGRAD_OPTION_NAMES: OptionNames<SmoothGradOptions> = {
  variant: true,
  samples: true,
  noiseLevel: true,
  inner: true,
  innerOptions: true,
  seed: true,
  batchSize: true,
  memoryBudgetMB: true,
};

/** Result of `'smoothgrad'`. */
export interface SmoothGradResult extends ExplainResultBase {
  /** [n, h, w, c]; caller disposes. */
  readonly attribution: tf.Tensor4D;
}

declare module '../../api/types.js' {
  interface MethodRegistry {
    smoothgrad: { options: SmoothGradOptions; result: SmoothGradResult };
  }
}

const INNER_METHODS: readonly SmoothGradInnerMethod[] = ['saliency', 'gradient-x-input', 'integrated-gradients'];

/**
 * The gradients of one batch of noisy samples, row r a sample of image `images[r]`, for `seeds`.
 * With `check`, the pass also checks the classes' range, its scores and the input
 * (gradientForTarget's readback): the first batch of given classes, which no prediction of the
 * clean input checked.
 */
async function sampleGradients(
  model: ModelAdapter,
  points: tf.Tensor4D,
  images: readonly number[],
  seeds: ClassSeeds,
  check: { inputCheck: InputCheck | undefined } | undefined,
): Promise<tf.Tensor4D> {
  if (!check || seeds instanceof tf.Tensor) return seededGradients(model, points, seeds, images);
  return (
    await gradientForTarget(
      model,
      points,
      images.map((i) => seeds[i]!),
      check.inputCheck,
    )
  ).gradient;
}

/**
 * `'smoothgrad'` (Smilkov et al. 2017; SmoothGrad^2, VarGrad: Adebayo et al. 2018; Captum
 * `NoiseTunnel`, PAIR `SmoothGrad`): averages the wrapped method's attribution over noisy copies
 * of the input, x + N(0, (noiseLevel * (max(x) - min(x)))^2). Noise comes from the seeded
 * counter-based RNG straight into the batch tensor's buffer; gradient methods batch samples,
 * integrated gradients runs one batched IG per sample round.
 *
 * @example
 * const r = await explain(model, image, { method: 'smoothgrad', samples: 50, seed: 1 });
 */
export const smoothGrad: MethodDefinition<'smoothgrad'> = {
  name: 'smoothgrad',
  requires: 'gradients',
  defersInputCheck: true, // read with the first gradient batch, or with the clean input's prediction
  takesClassRows: true,
  optionNames: SMOOTHGRAD_OPTION_NAMES,
  create(model, options) {
    const variant = choiceOption<SmoothGradVariant>('smoothgrad', 'variant', options.variant, 'mean', ['mean', 'squared', 'variance']);
    const samples = integerOption('smoothgrad', 'samples', options.samples, 50, 1, 1 << 20);
    const noiseLevel = numberOption('smoothgrad', 'noiseLevel', options.noiseLevel, 0.15, 0);
    const innerMethod = choiceOption('smoothgrad', 'inner', options.inner, 'saliency', INNER_METHODS);
    const seed = seedOption('smoothgrad', options.seed);
    checkBatchingOptions('smoothgrad', options);
    const innerOptions = (options.innerOptions ?? {}) as SaliencyOptions & IntegratedGradientsOptions;
    if (typeof innerOptions !== 'object' || innerOptions === null) rejectOption('smoothgrad', 'innerOptions', 'an object', innerOptions);
    // innerOptions go to the inner method: 'abs' for saliency, IG's own for integrated-gradients.
    const innerNames =
      innerMethod === 'integrated-gradients' ? INTEGRATED_GRADIENTS_OPTION_NAMES : innerMethod === 'saliency' ? SALIENCY_OPTION_NAMES : {};
    checkOptionNames(`smoothgrad innerOptions (${innerMethod})`, innerOptions, innerNames);
    booleanOption('smoothgrad', 'innerOptions.abs', innerOptions.abs, true);
    const ig = innerMethod === 'integrated-gradients' ? igSettings(innerOptions) : undefined;
    const inner: SmoothGradInner =
      innerMethod === 'gradient-x-input' ? 'times-input' : innerMethod === 'saliency' && innerOptions.abs !== false ? 'abs' : 'identity';

    return {
      async explain(input, call) {
        const [n, h, w, c] = input.shape;
        const elementCount = h * w * c;
        const total = n * samples;
        if (total * elementCount > 2 ** 32) {
          rejectOptionAs('smoothgrad', 'samples * images * values per image', '<= 2^32 (one RNG stream)', `${total} * ${elementCount}`);
        }
        // A given class needs no prediction of the clean input: the first gradient batch checks it
        // (range, finite scores) and the input from its own readback (nothing to check when the
        // caller keeps only the attribution: CallContext.attributionOnly). 'predicted' and the IG inner
        // method predict first, the input check in that prediction's one readback, which travels while
        // the samples' passes are recorded (seeded on the device by the argmax, see classesAhead);
        // not when only the attribution is kept and the caller hands the classes over (given, or as
        // device rows): it has checked them and the input.
        const given = ig && !call.attributionOnly ? undefined : givenTargets(call.target, n);
        const rows = call.attributionOnly?.classRows;
        throwIfAborted(call.signal, 'smoothgrad');
        const ahead = given || rows ? undefined : classesAhead(model, input, call.target, call.inputCheck);
        const seeds = given ?? rows ?? ahead!.seeds();
        let ops: SampleOps | undefined;
        try {
          ops = await createSampleOps({ input, noiseLevel, seed, samples, variant }, call.path);
          // Sample rounds of the IG inner method are whole rounds of n images; gradients batch freely.
          const batch = ig ? n : chooseBatchSize(elementCount, total, options);
          for (let firstPoint = 0; firstPoint < total; firstPoint += batch) {
            await checkpoint(call.signal, 'smoothgrad');
            const count = Math.min(batch, total - firstPoint);
            const points = await ops.noisy(firstPoint, count);
            try {
              const rowImages = Array.from({ length: count }, (_, p) => (firstPoint + p) % n);
              const checksFirst = given !== undefined && firstPoint === 0 && !call.attributionOnly;
              const attribution = ig
                ? await integratedGradientsOf(model, points, seeds, ig, { signal: call.signal, onProgress: undefined, path: call.path })
                : await sampleGradients(model, points, rowImages, seeds, checksFirst ? { inputCheck: call.inputCheck } : undefined);
              try {
                await ops.accumulate(inner, points, attribution, firstPoint, count);
              } finally {
                attribution.dispose();
              }
            } finally {
              points.dispose();
            }
            call.onProgress?.({ done: firstPoint + count, total });
          }
          const target = given ?? (ahead ? await ahead.classes : []);
          return { attribution: ops.finish(), target };
        } finally {
          ops?.dispose();
          await ahead?.release();
        }
      },
      dispose() {},
    };
  },
};
