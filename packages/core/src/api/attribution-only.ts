// SPDX-License-Identifier: Apache-2.0
import type * as tf from '@tensorflow/tfjs';
import type { ModelInput } from '../model/types.js';
import { flushTfjs } from '../interop/tfjs-webgpu.js';
import { asDeviceLoss, callDevice, checkModelBackend, throwIfTfjsDeviceLost } from '../interop/device-loss.js';
import { definitionOf } from './explain.js';
import { currentPath, prepareMethod } from './explainer.js';
import { disposeResult } from './dispose-result.js';
import { toUncheckedBatch } from './input.js';
import type { ExplainOptions, MethodName } from './types.js';

/**
 * Core-internal, for callers that explain one batch many times and read the maps back together at
 * the end (the sanity checks, on model copies): the attribution of `options.method` on `batch` for
 * `target`, returned as soon as its GPU work is recorded. Unlike `explain`: no input check (the
 * caller has checked `batch`), no wait for the GPU, no timing, and the method is told that only the
 * attribution is kept (CallContext.attributionOnly), so it may leave out the readbacks that only
 * feed the rest of its result (IG's convergence delta and end-point scores). `target` must already
 * be checked against the model's classes. The scores are not checked: non-finite scores are caught
 * only where they make the attribution non-finite (the caller checks the values it reads), so a
 * score that is NaN while its gradient is finite (log of a negative) would go unreported: the
 * sanity checks forward each model copy at the input and read its scores with the maps
 * (readPixelMaps). The caller disposes the attribution.
 */
export async function explainAttributionOnly(
  model: ModelInput,
  batch: tf.Tensor4D,
  options: ExplainOptions,
  target: readonly number[],
): Promise<tf.Tensor> {
  const definition = definitionOf<MethodName>(options.method);
  const { adapter, instance } = prepareMethod(definition, model, options);
  const device = callDevice();
  const input = toUncheckedBatch(batch, adapter);
  try {
    await throwIfTfjsDeviceLost(definition.name);
    if (adapter.kind === 'layers') checkModelBackend(adapter.source);
    const call = { target: [...target], signal: options.signal, onProgress: undefined, path: currentPath(), attributionOnly: true };
    const { attribution, ...rest } = (await instance.explain(input, call)) as unknown as { attribution: tf.Tensor };
    disposeResult(rest);
    // What tfjs recorded goes to the GPU now, so it works while the caller's host work goes on.
    if (call.path === 'gpu') flushTfjs();
    return attribution;
  } catch (error) {
    throw await asDeviceLoss(error, definition.name, device);
  } finally {
    input.dispose();
    instance.dispose();
  }
}
