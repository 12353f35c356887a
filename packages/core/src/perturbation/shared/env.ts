// SPDX-License-Identifier: Apache-2.0
import type * as tf from '@tensorflow/tfjs';
import type { CallContext } from '../../api/types.js';
import type { ModelAdapter } from '../../model/types.js';
import type { PerturbationEnv } from './evaluate.js';
import { fitBatchToModel } from '../../api/batch-limit.js';

/**
 * The evaluation environment of a segment-based method for `input` [n, h, w, c]: the user's
 * `batchSize` (or the memory-based default, at least `minBatch`), the call's path and signal.
 */
export async function perturbationEnv(
  method: string,
  model: ModelAdapter,
  input: tf.Tensor4D,
  call: CallContext,
  options: { readonly batchSize?: number | undefined; readonly preprocess?: unknown },
  minBatch = 1,
): Promise<PerturbationEnv> {
  const [, height, width, channels] = input.shape;
  const geometry = { height, width, channels };
  return {
    method,
    model,
    geometry,
    batchSize: Math.max(minBatch, await fitBatchToModel(method, model, geometry, options.batchSize)),
    path: call.path,
    signal: call.signal,
    preprocess: !!options.preprocess,
  };
}
