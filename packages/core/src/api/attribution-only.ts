// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { invariant } from '@webxai/shaders';
import type { ModelAdapter, ModelInput } from '../model/types.js';
import { flushTfjs } from '../interop/tfjs-webgpu.js';
import { asDeviceLoss, callDevice, checkModelBackend, throwIfTfjsDeviceLost } from '../interop/device-loss.js';
import { definitionOf } from './explain.js';
import { currentPath, prepareMethod } from './explainer.js';
import { disposeResult } from './dispose-result.js';
import { toUncheckedBatch } from './input.js';
import type { ExplainOptions, MethodName } from './types.js';
import type { ClassSeeds } from '../gradient/target-gradients.js';

/** What {@link explainAttributionOnly} returns; the caller disposes both tensors. */
export interface AttributionWithScores {
  readonly attribution: tf.Tensor;
  /** The model's scores at the input, unchecked (only when asked for). */
  readonly scores: tf.Tensor | undefined;
}

/**
 * Core-internal, for callers that explain one batch many times and read the maps back together at
 * the end (the sanity checks, on model copies): the attribution of `options.method` on `batch` for
 * `target`, returned as soon as its GPU work is recorded. Unlike `explain`: no input check (the
 * caller has checked `batch`), no wait for the GPU, no timing, and the method is told that only the
 * attribution is kept (CallContext.attributionOnly), so it may leave out the readbacks that only
 * feed the rest of its result (IG's convergence delta and end-point scores) and its scores' check.
 * `target` must already be checked against the model's classes, or be one-hot rows on the device
 * ([images, classes], e.g. the seeds classesAhead gives for 'predicted', not disposed here) for a
 * method that takes them (MethodDefinition.takesClassRows), whose read the caller checks.
 *
 * The scores are not checked here. With `withScores`, the model's scores at the input come back
 * unread for the caller to check with the attribution (readPixelMaps): those of the method's own
 * forward pass when it hands them over (saliency, gradient x input, guided backprop, deconvnet),
 * else a forward pass of the input. Without it the caller must have checked the model's scores at
 * this input already: a score that is NaN while its gradient is finite (log of a negative) leaves
 * the attribution finite.
 */
export async function explainAttributionOnly(
  model: ModelInput,
  batch: tf.Tensor4D,
  options: ExplainOptions,
  target: ClassSeeds,
  withScores: boolean,
): Promise<AttributionWithScores> {
  const definition = definitionOf<MethodName>(options.method);
  const classRows = target instanceof tf.Tensor ? target : undefined;
  const given = target instanceof tf.Tensor ? undefined : [...target];
  invariant(!classRows || definition.takesClassRows, `${definition.name} was given its classes as device rows it does not take`);
  const { adapter, instance } = prepareMethod(definition, model, options);
  const device = callDevice();
  const input = toUncheckedBatch(batch, adapter);
  let handedOver: tf.Tensor | undefined;
  try {
    await throwIfTfjsDeviceLost(definition.name);
    if (adapter.kind === 'layers') checkModelBackend(adapter.source);
    const attributionOnly = {
      ...(classRows ? { classRows } : {}),
      handOverScores: (scores: tf.Tensor) => {
        handedOver?.dispose();
        handedOver = scores;
      },
    };
    const call = {
      target: given,
      signal: options.signal,
      onProgress: undefined,
      path: currentPath(),
      attributionOnly,
    };
    const { attribution, ...rest } = (await instance.explain(input, call)) as unknown as { attribution: tf.Tensor };
    disposeResult(rest);
    // The scores the method handed over go into the result, or are not wanted.
    const own = handedOver;
    handedOver = undefined;
    if (!withScores) own?.dispose();
    const result = withScores
      ? await withScoresOf(attribution, async () => own ?? scoresAt(adapter, input))
      : { attribution, scores: undefined };
    // What tfjs recorded goes to the GPU now, so it works while the caller's host work goes on.
    if (call.path === 'gpu') flushTfjs();
    return result;
  } catch (error) {
    throw await asDeviceLoss(error, definition.name, device);
  } finally {
    handedOver?.dispose();
    input.dispose();
    instance.dispose();
  }
}

/**
 * The model's scores at `input` (a batch the model takes as it is): unread from a tfjs model's
 * forward pass; a black box's come checked (its predict reads them).
 */
export async function scoresAt(adapter: ModelAdapter, input: tf.Tensor4D): Promise<tf.Tensor> {
  const forward = adapter.forward;
  return forward ? tf.tidy(() => forward(input)) : await adapter.predict(input);
}

/**
 * `attribution` with the scores `scores()` gives; when that throws, the attribution is disposed
 * before the error goes on (the caller owns neither yet).
 */
export async function withScoresOf(attribution: tf.Tensor, scores: () => Promise<tf.Tensor>): Promise<AttributionWithScores> {
  try {
    return { attribution, scores: await scores() };
  } catch (error) {
    attribution.dispose();
    throw error;
  }
}
