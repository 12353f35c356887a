// SPDX-License-Identifier: Apache-2.0
import { InvalidOptionError, rankedMasks, rankedMasksRef, runKernel, type RankedMode } from '@webxai/shaders';
import { imageAt } from '../../perturbation/shared/evaluate.js';
import { integerOption } from '../../api/options.js';
import { areProbabilities, checkCurveOutput, targetValue, trapezoidArea, type CurveOutput } from '../shared/curve.js';
import { checkMetricFill, metricFillImage, type MetricFill } from '../shared/fill.js';
import { evaluateMaskedImages, metricOriginalScores, recordOriginalScores, type MaskSource } from '../shared/masked-batches.js';
import { descendingOrder, ranksOf } from '../shared/order.js';
import { RankedImageWriter } from './ranked-images.js';
import { recordedMaskedScores, recordsBatches } from './recorded-batches.js';
import { resolveTargetsOnHost } from '../../api/targets.js';
import type { OptionNames } from '../../api/option-names.js';
import type { MetricDefinition, MetricInputs, MetricOutput, MetricRegistry } from '../types.js';

/** Options of `'deletion'` and `'insertion'`. */
export interface RankedCurveOptions {
  /** Curve steps: step k changes the top floor(k * H * W / steps) pixels. Default 100. */
  readonly steps?: number;
  /** What a deleted pixel shows / what insertion starts from. Default 'zero'. */
  readonly fill?: MetricFill;
  /** 'probability' (softmax of the scores unless they already sum to 1; default) or 'logit' (raw score). */
  readonly output?: CurveOutput;
}

declare module '../types.js' {
  interface MetricRegistry {
    deletion: RankedCurveOptions;
    insertion: RankedCurveOptions;
  }
}

const OPTION_NAMES: OptionNames<RankedCurveOptions> = { steps: true, fill: true, output: true };

function check(metric: RankedMode, options: RankedCurveOptions, size: { height: number; width: number }): void {
  const steps = integerOption(metric, 'steps', options.steps, 100, 1);
  if (steps * size.height * size.width >= 2 ** 32) {
    throw new InvalidOptionError(
      `${metric}: steps * height * width must be < 2^32, got ${steps} steps for ${size.height}x${size.width} pixels`,
    );
  }
  checkMetricFill(metric, options.fill);
  checkCurveOutput(metric, options.output);
}

/**
 * GPU masks from the ranks (ranked-masks kernel), or their CPU reference; host batches are written
 * directly from the order (RankedImageWriter, the same values).
 */
function rankedMaskSource(mode: RankedMode, order: Uint32Array, steps: number, firstStep: number, host: RankedImageWriter): MaskSource {
  // Only the mask paths need the ranks (host batches are written from the order).
  let ranks: Uint32Array<ArrayBuffer> | undefined;
  const ranksNow = () => (ranks ??= ranksOf(order));
  let ranksBuffer: GPUBuffer | undefined;
  return {
    hostImages: (out, first, count, layout) => host.write(out, first, count, layout),
    async gpu(scope, masks, first, count) {
      ranksBuffer ??= scope.upload(ranksNow(), `${mode}.ranks`);
      await runKernel(scope.device, rankedMasks[mode], {
        params: { count, pixels: order.length, steps, firstStep: firstStep + first },
        ranks: ranksBuffer,
        masks,
      });
    },
    cpu(out, first, count) {
      rankedMasksRef(mode, ranksNow(), steps, firstStep + first, count, out);
    },
  };
}

/** The unperturbed images' scores, their class count and each image's target, as metricOriginalScores gives them. */
interface Originals {
  readonly scores: Float32Array;
  readonly classes: number;
  readonly targets: number[];
}

/**
 * The deletion or insertion curve of every image: steps + 1 points; the endpoint that is the
 * unperturbed image (deletion k = 0, insertion k = steps) is the original prediction, the other
 * `steps` images are evaluated in batches built on the GPU. A tfjs model on the GPU path records
 * each image's batches and reads their scores once, the original scores with the first image's
 * (recorded-batches.ts); otherwise each batch is read as it is evaluated.
 */
async function rankedCurves(mode: RankedMode, inputs: MetricInputs, options: RankedCurveOptions): Promise<MetricOutput> {
  const steps = options.steps ?? 100;
  const fill = options.fill ?? 'zero';
  const { input, inputValues, maps, height, width, channels } = inputs;
  const recorded = recordsBatches(mode, inputs);
  let pending = recorded ? recordOriginalScores(inputs) : undefined;
  try {
    let originals: Originals | undefined = recorded ? undefined : await metricOriginalScores(mode, inputs);
    const resolve = (scores: Float32Array): Originals => {
      const classes = scores.length / input.shape[0];
      return { scores, classes, targets: resolveTargetsOnHost(inputs.target, scores, input.shape[0], classes) };
    };
    let softmax: boolean | undefined;
    const usesSoftmax = (o: Originals) =>
      (softmax ??= (options.output ?? 'probability') === 'probability' && !areProbabilities(o.scores, o.classes));
    const curves: Float32Array[] = [];
    for (let i = 0; i < maps.length; i++) {
      const image = await imageAt(input, i, inputValues);
      try {
        const fillValues = metricFillImage(fill, image.values, height, width, channels);
        const firstStep = mode === 'deletion' ? 1 : 0;
        const order = descendingOrder(maps[i]!);
        const host = new RankedImageWriter(mode, image.values, fillValues, order, steps, firstStep, channels);
        const source = rankedMaskSource(mode, order, steps, firstStep, host);
        const curve = new Float32Array(steps + 1);
        const point = (first: number, count: number, scores: Float32Array, k: number) => {
          const { targets } = originals!;
          for (let b = 0; b < count; b++) curve[firstStep + first + b] = targetValue(scores, k, b, targets[i]!, usesSoftmax(originals!));
        };
        if (recorded) {
          const front = pending;
          pending = undefined;
          const read = await recordedMaskedScores(mode, inputs, image.tensor, fillValues, steps, source, front, (values) => {
            originals = resolve(Float32Array.from(values));
          }).finally(() => front?.dispose());
          point(0, steps, read.scores, read.classes);
        } else {
          // Each batch's rows reduce to curve points as they arrive (no copy of 1,000 scores per image).
          await evaluateMaskedImages(mode, inputs, image, fillValues, steps, source, point);
        }
        const { targets, classes, scores: original } = originals!;
        curve[mode === 'deletion' ? 0 : steps] = targetValue(original, classes, i, targets[i]!, usesSoftmax(originals!));
        curves.push(curve);
      } finally {
        image.tensor.dispose();
      }
    }
    inputs.markDrained?.(); // the last image's scores came back after every batch before them
    return { scores: curves.map(trapezoidArea), curves, target: originals!.targets };
  } finally {
    pending?.dispose();
  }
}

function defineRanked<M extends RankedMode>(mode: M): MetricDefinition<M> {
  return {
    name: mode,
    // Both modes register RankedCurveOptions; TypeScript cannot see that through the generic M.
    optionNames: OPTION_NAMES as OptionNames<MetricRegistry[M]>,
    // The image's values (its fill, the host path's writer) come with the attribution's readback.
    hostInput: true,
    check: (options, size) => check(mode, options, size),
    run: (inputs, options) => rankedCurves(mode, inputs, options),
  };
}

/**
 * `'deletion'` (Petsiuk et al. 2018, "RISE: Randomized Input Sampling for Explanation of Black-box
 * Models", BMVC): pixel score = the attribution summed over channels; pixels ordered by descending
 * score, ties by ascending row-major index; for k = 0..steps the top floor(k * H * W / steps) pixels
 * are set to the fill in every channel, and the curve is the target's probability (or logit). The
 * score is the trapezoid area with dx = 1 / steps: lower is better (the evidence goes fast). This is
 * the definition RISE's evaluation code and pytorch-grad-cam's use.
 *
 * @example
 * const r = await evaluate(model, image, explanation, { metric: 'deletion', steps: 100 });
 * r.scores; // [0.12]; r.curves[0].length === 101
 */
export const deletion = defineRanked('deletion');

/**
 * `'insertion'` (Petsiuk et al. 2018): as deletion, but step k copies the top floor(k * H * W / steps)
 * pixels from the image into the fill image (k = 0 is the fill alone, k = steps the image). Higher is
 * better.
 */
export const insertion = defineRanked('insertion');
