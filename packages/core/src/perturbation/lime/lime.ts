// SPDX-License-Identifier: Apache-2.0
import type * as tf from '@tensorflow/tfjs';
import type { CallContext, ExplainResultBase, MethodDefinition } from '../../api/types.js';
import type { ModelAdapter } from '../../model/types.js';
import type { SegmentOptions } from '../../segment/segment.js';
import { hostInputValues, originalScoresOf } from '../shared/host-input.js';
import { givenTargets } from '../../api/targets.js';
import { checkFill, type FillOption, type SegmentsInput } from '../shared/features.js';
import { integerOption, numberOption, seedOption } from '../../api/options.js';
import { explainPrepared, featureSource, PreparedQueue } from '../shared/prepare.js';
import { ProgressReporter } from '../shared/progress.js';
import { bernoulliMatrix } from '../shared/random.js';
import { ridgeFromGram, type RidgeFit } from '../shared/regression.js';
import { SegmentWorkspace } from '../shared/segment-workspace.js';
import { SegmentMaps } from '../shared/segment-maps.js';
import { stackSegments } from '../shared/stack.js';
import { perturbationEnv } from '../shared/env.js';
import type { OptionNames } from '../../api/option-names.js';

/** Options of `'lime'` (lime_image.LimeImageExplainer.explain_instance; defaults as lime). */
export interface LimeOptions {
  /** Perturbed samples (the first is the unperturbed image, as lime). Default 1000. */
  readonly samples?: number;
  /** Width of the exponential kernel on cosine distance: sqrt(exp(-d^2 / width^2)). Default 0.25. */
  readonly kernelWidth?: number;
  /** What hidden superpixels show (lime's hide_color): 'mean' per segment (hide_color=None, default), 'zero', 'blur', a value. */
  readonly fill?: FillOption;
  /** Your own label map, replacing the built-in superpixels. */
  readonly segments?: SegmentsInput;
  /** Built-in superpixels. Default Quick Shift with lime's settings (kernelSize 4, maxDist 200, ratio 0.2). */
  readonly segmentation?: SegmentOptions;
  /** Ridge penalty (lime: Ridge(alpha=1)). Default 1. */
  readonly alpha?: number;
  /** Seed of the sample matrix (Threefry uniform stream). Default 0. */
  readonly seed?: number;
  /** Perturbed images per model call. Default: about 64 MB of input, at most 64. */
  readonly batchSize?: number;
}

/** Option names of lime (checked against LimeOptions by the compiler; other names are rejected). */
export const LIME_OPTION_NAMES: OptionNames<LimeOptions> = {
  samples: true,
  kernelWidth: true,
  fill: true,
  segments: true,
  segmentation: true,
  alpha: true,
  seed: true,
  batchSize: true,
};

/** Result of `'lime'`. */
export interface LimeResult extends ExplainResultBase {
  /** [n, h, w]: each pixel shows its superpixel's weight. */
  readonly attribution: tf.Tensor3D;
  /** int32 [n, h, w]: the features (superpixels) used, 0 .. F-1 per image. */
  readonly segments: tf.Tensor3D;
  /** Per image: the local model's weight of every superpixel (lime's local_exp, all features). */
  readonly segmentWeights: Float32Array[];
  readonly intercept: number[];
  /** Weighted R^2 of the local model on its samples (lime's score). */
  readonly r2: number[];
  /** The local model at the unperturbed image (lime's local_pred). */
  readonly localPrediction: number[];
}

declare module '../../api/types.js' {
  interface MethodRegistry {
    lime: { options: LimeOptions; result: LimeResult };
  }
}

const NAME = 'lime';
/** lime_image's default segmentation: quickshift(kernel_size=4, max_dist=200, ratio=0.2). */
export const LIME_SEGMENTATION: SegmentOptions = { method: 'quickshift', kernelSize: 4, maxDist: 200, ratio: 0.2 };

/** lime's kernel weights: sqrt(exp(-d^2 / width^2)) of the cosine distance d of each sample to all-ones. */
export function limeWeights(samples: Float32Array, rows: number, features: number, kernelWidth: number): Float64Array {
  const w = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let ones = 0;
    for (let j = 0; j < features; j++) ones += samples[r * features + j]!;
    const d = ones === 0 ? 1 : 1 - Math.sqrt(ones / features);
    w[r] = Math.sqrt(Math.exp(-(d * d) / (kernelWidth * kernelWidth)));
  }
  return w;
}

/**
 * LIME for images (Ribeiro, Singh, Guestrin, KDD 2016) as lime_image: random on/off superpixel
 * samples, the model's target score for each, and a weighted ridge regression whose coefficients
 * are the superpixel weights. The regression's normal equations are reduced on the GPU.
 *
 * @example
 * const r = await explain(model, image, { method: 'lime', samples: 1000, seed: 1 });
 * r.segmentWeights[0]; // one weight per superpixel; r.r2[0], r.intercept[0]
 */
export const lime: MethodDefinition<'lime'> = {
  name: NAME,
  requires: 'predictions',
  defersInputCheck: true, // checked on the host with a black box's input values (hostInputValues)
  optionNames: LIME_OPTION_NAMES,
  create(model, options) {
    const samples = integerOption(NAME, 'samples', options.samples, 1000, 2, 2 ** 24);
    const kernelWidth = numberOption(NAME, 'kernelWidth', options.kernelWidth, 0.25, 0, Infinity, true);
    const alpha = numberOption(NAME, 'alpha', options.alpha, 1, 0);
    const seed = seedOption(NAME, options.seed);
    checkFill(NAME, options.fill);
    if (options.batchSize !== undefined) integerOption(NAME, 'batchSize', options.batchSize, 1);
    return {
      explain: (input, call) => explainLime(model, input, call, { ...options, samples, kernelWidth, alpha, seed }),
      dispose() {},
    };
  },
};

type Resolved = LimeOptions & { samples: number; kernelWidth: number; alpha: number; seed: number; preprocess?: unknown };

async function explainLime(model: ModelAdapter, input: tf.Tensor4D, call: CallContext, o: Resolved) {
  const [n, height, width] = input.shape;
  const env = await perturbationEnv(NAME, model, input, call, o);
  // A black box's input is read once (values): the clean scores, the segments and the batches come
  // from it. The next image is segmented while the current one's forwards run (PreparedQueue).
  const values = await hostInputValues(env, input, call.inputCheck);
  const segmentation = o.segmentation ?? LIME_SEGMENTATION;
  const prepare = await featureSource(NAME, input, o.segments, segmentation, o.fill ?? 'mean', call.signal, values);
  const maps = new SegmentMaps(env.path === 'gpu', [n, height, width]);
  const images = new PreparedQueue(prepare, n);
  const labelMaps: Int32Array[] = [];
  const fits: RidgeFit[] = [];
  // Only the targets are needed from the clean images: a given class needs no forward pass (its
  // range is checked against the first batch's scores, SegmentWorkspace.evaluate).
  const clean = async () => givenTargets(call.target, n) ?? (await originalScoresOf(env, input, values, call.target)).targets;
  try {
    const targets = await explainPrepared(images, n, clean, async (image, i, targets, keep) => {
      const features = image.map.count;
      const data = bernoulliMatrix(o.seed, o.samples, features);
      data.fill(1, 0, features); // lime: the first sample is the original image
      const workspace = keep(SegmentWorkspace.create(env, image.tensor, image.values, image.map, image.fill, data));
      const progress = new ProgressReporter(call.onProgress, [1, height, width]);
      const result = await fitImage(workspace, data, features, targets[i]!, o, progress);
      await workspace.scatter(result.coef, maps, i);
      if (progress.active) progress.report(o.samples, o.samples, workspace.hostMap(result.coef));
      labelMaps.push(image.map.labels);
      fits.push(result);
    });
    return {
      attribution: maps.take(),
      segments: stackSegments(labelMaps, height, width),
      segmentWeights: fits.map((f) => Float32Array.from(f.coef)),
      intercept: fits.map((f) => f.intercept),
      r2: fits.map((f) => f.r2),
      localPrediction: fits.map((f) => f.localPrediction),
      target: targets,
    };
  } finally {
    maps.release();
  }
}

/** The weighted ridge fit of one image's samples (`data`, rows x features) to its target scores. */
async function fitImage(
  ws: SegmentWorkspace,
  data: Float32Array,
  features: number,
  target: number,
  o: Resolved,
  progress: ProgressReporter,
): Promise<RidgeFit> {
  const weights = limeWeights(data, o.samples, features, o.kernelWidth);
  const fit = async (count: number, scores: Float64Array) =>
    ridgeFromGram(await ws.gram('lime', count, scores, weights), features, o.alpha);
  const scores = await ws.evaluate(target, async (done, partial) => {
    if (progress.active && done < o.samples) progress.report(done, o.samples, ws.hostMap((await fit(done, partial)).coef));
  });
  return fit(o.samples, scores);
}
