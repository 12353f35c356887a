// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { invariant, ModelError } from '@webxai/shaders';
import { explainAttributionOnly, scoresAt, withScoresOf } from '../../api/attribution-only.js';
import { adaptModel } from '../../model/adapt.js';
import { explain } from '../../api/explain.js';
import { disposeResult } from '../../api/dispose-result.js';
import type { ExplainOptions } from '../../api/types.js';
import type { ModelInput } from '../../model/types.js';
import type { ClassSeeds } from '../../gradient/target-gradients.js';
import { normaliseAttribution, pixelMapsOf } from '../shared/attribution.js';
import { spearman, ssim } from '../shared/stats.js';

/** How a sanity check explains: explain options (method and its options), or your own function. */
export type ExplainSpec = ExplainOptions | ((model: ModelInput, input: tf.Tensor4D, target: number[]) => Promise<tf.Tensor>);

/** An attribution normalised to [n, h, w, c'] and, when asked for, the model's scores at the input, both unread. */
export interface SanityExplanation {
  readonly attribution: tf.Tensor4D;
  readonly scores: tf.Tensor | undefined;
}

/**
 * The attribution of `model` on `input` (checked) for `target` (checked against the model's
 * classes, or device rows for explain options whose method takes them: explainAttributionOnly), normalised to [n, h, w, c'] and left on the model's device with its GPU work possibly
 * still queued, and with `withScores` the model's scores at the input, unchecked (explainAttributionOnly's
 * or, for an explain function, a forward pass): both come back with other explanations' in one
 * {@link readPixelMaps}, which checks their values. Without `withScores` the caller has checked the
 * model's scores at `input`. The caller disposes both.
 */
export async function explainAttribution(
  what: string,
  spec: ExplainSpec,
  model: ModelInput,
  input: tf.Tensor4D,
  target: ClassSeeds,
  withScores: boolean,
): Promise<SanityExplanation> {
  if (typeof spec !== 'function') {
    const { attribution, scores } = await explainAttributionOnly(model, input, spec, target, withScores);
    return normalisedWith(what, attribution, input.shape, scores);
  }
  invariant(!(target instanceof tf.Tensor), 'an explain function is given its classes as numbers');
  const attribution = await spec(model, input, [...target]);
  const { scores } = withScores ? await withScoresOf(attribution, () => scoresAt(adaptModel(model), input)) : { scores: undefined };
  return normalisedWith(what, attribution, input.shape, scores);
}

/** `attribution` normalised (and disposed), with `scores`; on a throw, nothing is left. */
function normalisedWith(what: string, attribution: tf.Tensor, shape: number[], scores: tf.Tensor | undefined): SanityExplanation {
  try {
    return { attribution: normaliseAttribution(what, attribution, shape), scores };
  } catch (error) {
    scores?.dispose();
    throw error;
  } finally {
    attribution.dispose();
  }
}

/**
 * The pixel maps (summed over channels, h * w each) of every attribution, in one readback, with
 * `scores[i]` (the scores of the model behind attribution i, when given: explainAttribution leaves
 * them unchecked) in the same readback.
 * @throws {ModelError} NaN or Inf in a source's scores or attribution (`sources[i]` says whose).
 */
export async function readPixelMaps(
  what: string,
  attributions: readonly tf.Tensor4D[],
  sources: readonly string[],
  scores: readonly (tf.Tensor | undefined)[] = [],
): Promise<Float32Array[][]> {
  const checked = scores.filter((t): t is tf.Tensor => t !== undefined);
  const all = tf.tidy(() => tf.concat([...checked, ...attributions].map((a) => tf.reshape(a, [-1]))));
  const values = (await all.data().finally(() => all.dispose())) as Float32Array;
  let offset = 0;
  const take = (size: number) => values.subarray(offset, (offset += size));
  for (const [i, t] of scores.entries()) {
    if (t && !take(t.size).every(Number.isFinite)) throw new ModelError(`${what}: the scores of ${sources[i]} have NaN or Inf values`);
  }
  return attributions.map((a, i) => {
    const own = take(a.size);
    if (!own.every(Number.isFinite)) {
      throw new ModelError(
        `${what}: the attribution of ${sources[i]} has NaN or Inf values (from its scores, its gradients or the explanation itself)`,
      );
    }
    return pixelMapsOf(own, a.shape);
  });
}

/**
 * Pixel maps (attribution summed over channels, h * w each) of `model` (`source` names it in errors)
 * on `input` for `target`, by a whole `explain` call: its checks included (a `target` outside the
 * model's classes is an InvalidOptionError), for callers whose targets come from another model.
 */
export async function explainMaps(
  what: string,
  spec: ExplainOptions,
  model: ModelInput,
  source: string,
  input: tf.Tensor4D,
  target: number[],
): Promise<Float32Array[]> {
  const result = await explain(model, input, { ...spec, target });
  try {
    const attribution = normaliseAttribution(what, (result as unknown as { attribution: tf.Tensor }).attribution, input.shape);
    try {
      return (await readPixelMaps(what, [attribution], [source]))[0]!;
    } finally {
      attribution.dispose();
    }
  } finally {
    disposeResult(result);
  }
}

/** Spearman rank correlation and SSIM per image between two sets of maps (absolute values when `absolute`). */
export function compareMaps(
  a: readonly Float32Array[],
  b: readonly Float32Array[],
  absolute: boolean,
): { spearman: number[]; ssim: number[] } {
  const prep = (m: Float32Array) => (absolute ? m.map(Math.abs) : m);
  return {
    spearman: a.map((m, i) => spearman(prep(m), prep(b[i]!))),
    ssim: a.map((m, i) => ssim(prep(m), prep(b[i]!))),
  };
}
