// SPDX-License-Identifier: Apache-2.0
import type * as tf from '@tensorflow/tfjs';
import { InvalidOptionError } from '@webxai/shaders';
import { toInputBatch } from '../../api/input.js';
import type { Target } from '../../api/targets.js';
import { originalScores } from '../../perturbation/shared/evaluate.js';
import type { ExplainOptions } from '../../api/types.js';
import { adaptModel } from '../../model/adapt.js';
import type { ModelInput } from '../../model/types.js';
import { stackMaps } from '../../perturbation/shared/stack.js';
import { checkOptionNames, type OptionNames } from '../../api/option-names.js';
import { spearman, ssim } from '../shared/stats.js';
import { explainMaps } from '../sanity/compare-maps.js';
import { checkExplainOptions } from './stability.js';

/** Options of {@link compareModels}. */
export interface CompareModelsOptions {
  /** The explanation to compare (same options, and the same seed, for both models). */
  readonly explain: ExplainOptions;
  /** Class per image (default: model A's prediction, used for both models). */
  readonly target?: Target;
  readonly signal?: AbortSignal;
}

const OPTION_NAMES: OptionNames<CompareModelsOptions> = { explain: true, target: true, signal: true };

/** Result of {@link compareModels}. The caller disposes `difference`. */
export interface CompareModelsResult {
  /** Pixel map of B minus pixel map of A, [n, h, w]. */
  readonly difference: tf.Tensor3D;
  /** Spearman rank correlation of the two maps, per image. */
  readonly spearman: number[];
  /** SSIM of the two maps (each scaled to [0, 1]), per image. */
  readonly ssim: number[];
  readonly target: number[];
}

/**
 * The same explanation on two versions of a model (retrained, quantised, ONNX vs tfjs): the rank
 * correlation and SSIM of their maps and the difference map.
 *
 * @example
 * const c = await compareModels(tfjsModel, fromOnnx(session), image, { explain: { method: 'occlusion' } });
 * c.spearman; // [0.998]
 */
export async function compareModels(
  modelA: ModelInput,
  modelB: ModelInput,
  input: tf.Tensor,
  options: CompareModelsOptions,
): Promise<CompareModelsResult> {
  if (typeof options !== 'object' || options === null)
    throw new InvalidOptionError('compareModels: options must be an object with explain');
  checkOptionNames('compareModels', options, OPTION_NAMES);
  checkExplainOptions('compareModels', options.explain);
  const adapter = adaptModel(modelA);
  const batch = await toInputBatch(input, adapter);
  try {
    const { targets: target } = await originalScores(adapter, batch, options.target, options.signal);
    const a = await explainMaps('compareModels', options.explain, modelA, 'model A', batch, target);
    const b = await explainMaps('compareModels', options.explain, modelB, 'model B', batch, target);
    const [, h, w] = batch.shape;
    const difference = stackMaps(
      a.map((m, i) => b[i]!.map((v, p) => v - m[p]!)),
      h,
      w,
    );
    return { difference, spearman: a.map((m, i) => spearman(m, b[i]!)), ssim: a.map((m, i) => ssim(m, b[i]!)), target };
  } finally {
    batch.dispose();
  }
}
