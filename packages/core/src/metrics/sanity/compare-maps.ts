// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { explain } from '../../api/explain.js';
import { disposeResult } from '../../api/dispose-result.js';
import type { ExplainOptions } from '../../api/types.js';
import type { ModelInput } from '../../model/types.js';
import { normaliseAttribution, pixelMapsOf } from '../shared/attribution.js';
import { spearman, ssim } from '../shared/stats.js';

/** How a sanity check explains: explain options (method and its options), or your own function. */
export type ExplainSpec = ExplainOptions | ((model: ModelInput, input: tf.Tensor4D, target: number[]) => Promise<tf.Tensor>);

/**
 * The attribution of `model` on `input` for `target`, normalised to [n, h, w, c'] and left on the
 * model's device (the caller disposes it): its pixel maps come back with others' in one
 * {@link readPixelMaps}.
 */
export async function explainAttribution(
  what: string,
  spec: ExplainSpec,
  model: ModelInput,
  input: tf.Tensor4D,
  target: number[],
): Promise<tf.Tensor4D> {
  if (typeof spec === 'function') {
    const attribution = await spec(model, input, target);
    try {
      return normaliseAttribution(what, attribution, input.shape);
    } finally {
      attribution.dispose();
    }
  }
  const result = await explain(model, input, { ...spec, target });
  try {
    return normaliseAttribution(what, (result as unknown as { attribution: tf.Tensor }).attribution, input.shape);
  } finally {
    disposeResult(result);
  }
}

/** The pixel maps (summed over channels, h * w each) of every attribution, in one readback. */
export async function readPixelMaps(attributions: readonly tf.Tensor4D[]): Promise<Float32Array[][]> {
  const all = tf.tidy(() => tf.concat(attributions.map((a) => tf.reshape(a, [-1]))));
  const values = (await all.data().finally(() => all.dispose())) as Float32Array;
  let offset = 0;
  return attributions.map((a) => {
    const maps = pixelMapsOf(values.subarray(offset, offset + a.size), a.shape);
    offset += a.size;
    return maps;
  });
}

/** Pixel maps (attribution summed over channels, h * w each) of `model` on `input` for `target`. */
export async function explainMaps(
  what: string,
  spec: ExplainSpec,
  model: ModelInput,
  input: tf.Tensor4D,
  target: number[],
): Promise<Float32Array[]> {
  const attribution = await explainAttribution(what, spec, model, input, target);
  try {
    return (await readPixelMaps([attribution]))[0]!;
  } finally {
    attribution.dispose();
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
