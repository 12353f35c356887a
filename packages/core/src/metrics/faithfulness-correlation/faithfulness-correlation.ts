// SPDX-License-Identifier: Apache-2.0
import { imageTensorAt, imageValuesAt } from '../../perturbation/shared/evaluate.js';
import { resolveTargetsOnHost } from '../../api/targets.js';
import { integerOption, seedOption } from '../../api/options.js';
import { UniformStream } from '../../perturbation/shared/random.js';
import { areProbabilities, checkCurveOutput, targetValue, type CurveOutput } from '../shared/curve.js';
import { checkMetricFill, isConstantFill, metricFillImage, type MetricFill } from '../shared/fill.js';
import { hostMaskSource, scoreMaskedImages } from '../shared/masked-batches.js';
import { pearson } from '../shared/stats.js';
import type { MetricDefinition } from '../types.js';

/** Options of `'faithfulness-correlation'`. */
export interface FaithfulnessCorrelationOptions {
  /** Random subsets per image. Default 100 (Quantus `nr_runs`). */
  readonly runs?: number;
  /** Pixels per subset. Default 224 (Quantus `subset_size`), at most H * W. */
  readonly subsetSize?: number;
  /** What the subset's pixels are set to. Default 'zero' (Quantus `perturb_baseline='black'`). */
  readonly fill?: MetricFill;
  /** The model output compared: 'logit' (raw score, Quantus' default) or 'probability'. */
  readonly output?: CurveOutput;
  /** Seed of the subsets. Default 0. */
  readonly seed?: number;
}

declare module '../types.js' {
  interface MetricRegistry {
    'faithfulness-correlation': FaithfulnessCorrelationOptions;
  }
}

const NAME = 'faithfulness-correlation';

/** `runs` keep-masks, each hiding `size` distinct pixels drawn uniformly (partial Fisher-Yates on the seeded stream). */
export function randomSubsetMasks(seed: number, runs: number, pixels: number, size: number): Float32Array<ArrayBuffer> {
  const stream = new UniformStream(seed);
  const masks = new Float32Array(runs * pixels).fill(1);
  const index = Uint32Array.from({ length: pixels }, (_, i) => i);
  for (let r = 0; r < runs; r++) {
    for (let i = 0; i < size; i++) {
      const j = i + stream.int(pixels - i);
      [index[i], index[j]] = [index[j]!, index[i]!];
      masks[r * pixels + index[i]!] = 0;
    }
  }
  return masks;
}

/**
 * `'faithfulness-correlation'` (Bhatt et al. 2020, "Evaluating and Aggregating Feature-based Model
 * Explanations", IJCAI; Quantus `FaithfulnessCorrelation`): for `runs` random subsets S of
 * `subsetSize` pixels, the Pearson correlation between sum_{p in S} a_p (the pixel map) and
 * f(x) - f(x with S set to the fill), f the target's output. Higher is better, in [-1, 1].
 */
export const faithfulnessCorrelation: MetricDefinition<'faithfulness-correlation'> = {
  name: NAME,
  optionNames: { runs: true, subsetSize: true, fill: true, output: true, seed: true },
  // A constant fill on the GPU path needs no image values: the readback leaves the input out there.
  hostInput: (o, path) => path !== 'gpu' || !isConstantFill(o.fill ?? 'zero'),
  check(o, { height, width }) {
    integerOption(NAME, 'runs', o.runs, 100, 2);
    integerOption(NAME, 'subsetSize', o.subsetSize, Math.min(224, height * width), 1, height * width);
    checkMetricFill(NAME, o.fill);
    seedOption(NAME, o.seed);
    checkCurveOutput(NAME, o.output);
  },
  async runWhileReading(inputs, o) {
    const { input, height, width, channels } = inputs;
    const n = input.shape[0];
    const pixels = height * width;
    const runs = o.runs ?? 100;
    const size = o.subsetSize ?? Math.min(224, pixels);
    const fill = o.fill ?? 'zero';
    // The subsets do not depend on the map: batches built on the GPU with a constant fill go out
    // before the attribution's readback lands. The host path and a fill made from the image need
    // the input's values (in the same readback, or a black box's hostValues) first.
    const early = inputs.hostValues === undefined && (inputs.path !== 'gpu' || !isConstantFill(fill)) ? await inputs.reading : undefined;
    const inputValues = inputs.hostValues ?? early?.input;
    // Per image: its original (a mask that keeps every pixel) first, then the subsets, in one
    // scoring: the original's scores come back in the masked batches' readback.
    const perImage: { masks: Float32Array; scores: Float32Array }[] = [];
    let classes = 0;
    for (let i = 0; i < n; i++) {
      const masks = new Float32Array((runs + 1) * pixels).fill(1);
      masks.set(randomSubsetMasks((o.seed ?? 0) + i, runs, pixels, size), pixels);
      const image = { tensor: imageTensorAt(input, i), values: inputValues && (await imageValuesAt(input, i, inputValues)) };
      try {
        const fillImage = metricFillImage(fill, image.values, height, width, channels);
        const result = await scoreMaskedImages(NAME, inputs, image, fillImage, runs + 1, hostMaskSource(masks, pixels));
        perImage.push({ masks: masks.subarray(pixels), scores: result.scores });
        classes = result.classes;
      } finally {
        image.tensor.dispose();
      }
    }
    const { maps } = early ?? (await inputs.reading);
    inputs.markDrained?.(); // the last image's scores came back after every batch before them
    const original = new Float32Array(maps.length * classes);
    perImage.forEach(({ scores }, i) => original.set(scores.subarray(0, classes), i * classes));
    const targets = resolveTargetsOnHost(inputs.target, original, maps.length, classes);
    const softmax = o.output === 'probability' && !areProbabilities(original, classes);
    const scores = perImage.map(({ masks, scores: rows }, i) => {
      const f0 = targetValue(rows, classes, 0, targets[i]!, softmax);
      const drops = new Float64Array(runs);
      const sums = new Float64Array(runs);
      for (let r = 0; r < runs; r++) {
        drops[r] = f0 - targetValue(rows, classes, r + 1, targets[i]!, softmax);
        for (let p = 0; p < pixels; p++) if (masks[r * pixels + p] === 0) sums[r] = sums[r]! + maps[i]![p]!;
      }
      return pearson(sums, drops);
    });
    return { scores, target: targets };
  },
};
