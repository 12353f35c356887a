// SPDX-License-Identifier: Apache-2.0
import type * as tf from '@tensorflow/tfjs';
import { explain } from '../../api/explain.js';
import { disposeResult } from '../../api/dispose-result.js';
import type { ExplainOptions } from '../../api/types.js';
import type { ModelInput } from '../../model/types.js';
import { normaliseAttribution, pixelMaps } from '../shared/attribution.js';
import { spearman, ssim } from '../shared/stats.js';

/** How a sanity check explains: explain options (method and its options), or your own function. */
export type ExplainSpec = ExplainOptions | ((model: ModelInput, input: tf.Tensor4D, target: number[]) => Promise<tf.Tensor>);

/** Pixel maps (attribution summed over channels, h * w each) of `model` on `input` for `target`. */
export async function explainMaps(
  what: string,
  spec: ExplainSpec,
  model: ModelInput,
  input: tf.Tensor4D,
  target: number[],
): Promise<Float32Array[]> {
  let attribution: tf.Tensor;
  let dispose: () => void;
  if (typeof spec === 'function') {
    attribution = await spec(model, input, target);
    dispose = () => attribution.dispose();
  } else {
    const result = await explain(model, input, { ...spec, target });
    attribution = (result as unknown as { attribution: tf.Tensor }).attribution;
    dispose = () => disposeResult(result);
  }
  try {
    const normalised = normaliseAttribution(what, attribution, input.shape);
    try {
      return await pixelMaps(normalised);
    } finally {
      normalised.dispose();
    }
  } finally {
    dispose();
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
