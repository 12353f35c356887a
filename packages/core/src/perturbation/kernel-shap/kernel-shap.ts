// SPDX-License-Identifier: Apache-2.0
import type * as tf from '@tensorflow/tfjs';
import type { CallContext, ExplainResultBase, MethodDefinition } from '../../api/types.js';
import type { ModelAdapter } from '../../model/types.js';
import type { SegmentOptions } from '../../segment/segment.js';
import { hostInputValues, originalScoresOf } from '../shared/host-input.js';
import { checkFill, type FillOption, type SegmentsInput } from '../shared/features.js';
import { integerOption, rejectOption, seedOption } from '../../api/options.js';
import { explainPrepared, featureSource, PreparedQueue } from '../shared/prepare.js';
import { ProgressReporter } from '../shared/progress.js';
import { shapFromGram } from '../shared/regression.js';
import { SegmentWorkspace } from '../shared/segment-workspace.js';
import { SegmentMaps } from '../shared/segment-maps.js';
import { stackSegments } from '../shared/stack.js';
import { perturbationEnv } from '../shared/env.js';
import { shapDesign, type ShapDesign } from './sampling.js';
import type { OptionNames } from '../../api/option-names.js';

/** Options of `'kernel-shap'` (shap's KernelExplainer over superpixels). */
export interface KernelShapOptions {
  /** Model evaluations for coalitions (capped at 2^F - 2). Default 2 F + 2048, as shap. Must be >= F. */
  readonly samples?: number;
  /** What absent superpixels show: 'mean' per segment (default, as LIME), 'zero', 'blur', a value. */
  readonly fill?: FillOption;
  /** Your own label map, replacing the built-in superpixels (Captum's feature_mask). */
  readonly segments?: SegmentsInput;
  /** Built-in superpixels. Default SLIC with 50 segments. */
  readonly segmentation?: SegmentOptions;
  /** Seed of the random coalitions. Default 0. */
  readonly seed?: number;
  /** Perturbed images per model call. Default: about 64 MB of input, at most 64. */
  readonly batchSize?: number;
}

/** Option names of kernel-shap (checked against KernelShapOptions by the compiler; other names are rejected). */
export const KERNEL_SHAP_OPTION_NAMES: OptionNames<KernelShapOptions> = {
  samples: true,
  fill: true,
  segments: true,
  segmentation: true,
  seed: true,
  batchSize: true,
};

/** Result of `'kernel-shap'`. */
export interface KernelShapResult extends ExplainResultBase {
  /** [n, h, w]: each pixel shows its superpixel's SHAP value. */
  readonly attribution: tf.Tensor3D;
  /** int32 [n, h, w]: the features used. */
  readonly segments: tf.Tensor3D;
  /** Per image, one value per superpixel; they sum to f(x) - f(baseline) (efficiency). */
  readonly shapValues: Float32Array[];
  /** f(baseline): the target score with every superpixel absent (shap's expected_value). */
  readonly baseValue: number[];
  /** f(x): the target score of the input. */
  readonly prediction: number[];
}

declare module '../../api/types.js' {
  interface MethodRegistry {
    'kernel-shap': { options: KernelShapOptions; result: KernelShapResult };
  }
}

const NAME = 'kernel-shap';
export const KERNEL_SHAP_SEGMENTATION: SegmentOptions = { method: 'slic', segments: 50, compactness: 10 };

/**
 * KernelSHAP (Lundberg & Lee, NeurIPS 2017) as shap's KernelExplainer with superpixels as players:
 * Shapley-kernel weighted coalitions (complete small sizes, paired random sampling for the rest),
 * then the weighted least squares with the efficiency constraint sum(phi) = f(x) - f(baseline)
 * imposed by eliminating one variable. Differs from shap: no l1 feature selection (shap's 'auto'
 * uses it below 20 % of coalitions evaluated) and Threefry instead of numpy's RNG.
 *
 * @example
 * const r = await explain(model, image, { method: 'kernel-shap', samples: 500, seed: 1 });
 * r.shapValues[0].reduce((a, b) => a + b) ≈ r.prediction[0] - r.baseValue[0];
 */
export const kernelShap: MethodDefinition<'kernel-shap'> = {
  name: NAME,
  requires: 'predictions',
  defersInputCheck: true, // checked on the host with a black box's input values (hostInputValues)
  optionNames: KERNEL_SHAP_OPTION_NAMES,
  create(model, options) {
    if (options.samples !== undefined) integerOption(NAME, 'samples', options.samples, 1, 1, 2 ** 24);
    const seed = seedOption(NAME, options.seed);
    checkFill(NAME, options.fill);
    if (options.batchSize !== undefined) integerOption(NAME, 'batchSize', options.batchSize, 1);
    return { explain: (input, call) => explainShap(model, input, call, { ...options, seed }), dispose() {} };
  },
};

async function explainShap(
  model: ModelAdapter,
  input: tf.Tensor4D,
  call: CallContext,
  o: KernelShapOptions & { seed: number; preprocess?: unknown },
) {
  const [n, height, width] = input.shape;
  const env = await perturbationEnv(NAME, model, input, call, o);
  // A black box's input is read once (values): the clean scores, the segments and the batches come
  // from it. The next image is segmented while the current one's forwards run (PreparedQueue).
  const inputValues = await hostInputValues(env, input, call.inputCheck);
  const segmentation = o.segmentation ?? KERNEL_SHAP_SEGMENTATION;
  const prepare = await featureSource(NAME, input, o.segments, segmentation, o.fill ?? 'mean', call.signal, inputValues);
  const maps = new SegmentMaps(env.path === 'gpu', [n, height, width]);
  const images = new PreparedQueue(prepare, n);
  const labelMaps: Int32Array[] = [];
  const values: Float32Array[] = [];
  const baseValue: number[] = [];
  const prediction: number[] = [];
  const clean = () => originalScoresOf(env, input, inputValues, call.target);
  try {
    const { targets } = await explainPrepared(images, n, clean, async (image, i, { scores, classes, targets }, keep) => {
      const m = image.map.count;
      const design = designFor(m, o.samples ?? 2 * m + 2048, o.seed);
      // Row 0: every feature absent (the baseline); then the coalitions.
      const rows = new Float32Array((design.rows + 1) * m);
      rows.set(design.masks, m);
      const workspace = keep(SegmentWorkspace.create(env, image.tensor, image.values, image.map, image.fill, rows));
      const fx = scores[i * classes + targets[i]!]!;
      const progress = new ProgressReporter(call.onProgress, [1, height, width]);
      const { phi, fnull } = await shapImage(workspace, design, m, fx, targets[i]!, progress);
      await workspace.scatter(phi, maps, i);
      labelMaps.push(image.map.labels);
      values.push(Float32Array.from(phi));
      baseValue.push(fnull);
      prediction.push(fx);
    });
    return {
      attribution: maps.take(),
      segments: stackSegments(labelMaps, height, width),
      shapValues: values,
      baseValue,
      prediction,
      target: targets,
    };
  } finally {
    maps.release();
  }
}

/** The coalitions of `m` superpixels (none for a single one: its value is f(x) - f(baseline)). */
function designFor(m: number, samples: number, seed: number): ShapDesign {
  if (samples < m) {
    rejectOption(NAME, 'samples', `>= the number of features (${m} superpixels): ask for more samples or fewer segments`, samples);
  }
  return m > 1 ? shapDesign(m, samples, seed) : { masks: new Float32Array(0), weights: new Float64Array(0), rows: 0 };
}

/** One image's SHAP values from the workspace's rows (baseline, then the design's coalitions). */
async function shapImage(ws: SegmentWorkspace, design: ShapDesign, m: number, fx: number, target: number, progress: ProgressReporter) {
  // The coalitions are rows 1.. of the workspace.
  const solve = async (count: number, scores: Float64Array): Promise<Float64Array> => {
    const fnull = scores[0]!;
    if (m === 1) return Float64Array.of(fx - fnull);
    const g = await ws.gram('shap', count - 1, scores.subarray(1), design.weights, fnull, fx - fnull, 1);
    return shapFromGram(g, m, fx - fnull);
  };
  const scores = await ws.evaluate(target, async (done, partial) => {
    if (progress.active && done > m && done < design.rows + 1)
      progress.report(done, design.rows + 1, ws.hostMap(await solve(done, partial)));
  });
  const phi = await solve(design.rows + 1, scores);
  if (progress.active) progress.report(design.rows + 1, design.rows + 1, ws.hostMap(phi));
  return { phi, fnull: scores[0]! };
}
