// SPDX-License-Identifier: Apache-2.0
// XRAI's class check (a forward pass of the images: a model that throws, returns the wrong shape or
// NaN / Inf scores fails the call as `predict` would) without a GPU round trip before integrated
// gradients when the caller names the classes: reading the scores back there left the GPU idle for
// 7-10 ms per explanation in Chromium's timeline (issue 14), while IG could already have been queued.
import * as tf from '@tensorflow/tfjs';
import { throwIfAborted } from '@webxai/shaders';
import { checkTargetClass, givenTargets } from '../../api/targets.js';
import type { CallContext } from '../../api/types.js';
import type { ModelAdapter } from '../../model/types.js';
import { checkFiniteScores } from '../../model/non-finite-scores.js';
import { originalScores } from '../shared/evaluate.js';
import { checkedInputValues } from '../shared/host-input.js';
import { flushTfjs, isWebGPUBackend } from '../../interop/tfjs-webgpu.js';

/** What XRAI starts integrated gradients with: the targets and the images' host values. */
export interface XraiStart {
  readonly targets: number[];
  /** The input's NHWC values, checked for NaN / Inf (the baselines and the segmentation come from them). */
  readonly values: Float32Array;
  /**
   * The class check's scores `[n, classes]` when they were not read back yet (numeric targets): the
   * caller reads them with {@link readRuns} and disposes them whatever happens.
   */
  readonly unreadScores: tf.Tensor2D | undefined;
}

/**
 * The targets and the input's checked values for XRAI. The input's copy is submitted first, so its
 * readback does not wait for the class check's forward pass. A numeric target needs no scores to
 * resolve: the forward pass is issued but not read back (its class count, from the scores' shape,
 * checks the target's range), and its values come back with the first image's attributions
 * ({@link readRuns}). `'predicted'` needs the scores' argmax first: one round trip before IG.
 * Errors: the input's InvalidInputError first, then the target's range (InvalidOptionError); NaN or
 * Inf scores -> ModelError from {@link readRuns}. (An out-of-range target with NaN scores reports the
 * target, the order integrated gradients itself uses; the round trip first read the scores.)
 * @throws {InvalidInputError} the input has a NaN or Inf value.
 * @throws {InvalidOptionError} a target class the model does not have.
 */
export async function startXrai(
  model: ModelAdapter,
  input: tf.Tensor4D,
  call: Pick<CallContext, 'target' | 'signal' | 'inputCheck'>,
): Promise<XraiStart> {
  const given = givenTargets(call.target, input.shape[0]);
  const checkedValues = checkedInputValues(input, call.inputCheck);
  const forward = model.forward;
  if (!given || !forward) {
    const [scores, values] = await Promise.allSettled([originalScores(model, input, call.target, call.signal), checkedValues]);
    // Both settled (no readback left running, its tensors released): a bad input's InvalidInputError
    // wins over what the class check made of its scores.
    if (values.status === 'rejected') throw values.reason;
    if (scores.status === 'rejected') throw scores.reason;
    return { targets: scores.value.targets, values: values.value, unreadScores: undefined };
  }
  let scores: tf.Tensor2D;
  try {
    throwIfAborted(call.signal, 'predict');
    scores = tf.tidy(() => forward(input));
  } catch (error) {
    await checkedValues;
    throw error;
  }
  // Submitted now: the GPU runs the class check while the input's values come back, and its
  // temporaries are released (tfjs frees a buffer its unsubmitted commands use only at a submit).
  if (isWebGPUBackend()) flushTfjs();
  try {
    const values = await checkedValues;
    for (const t of given) checkTargetClass(t, scores.shape[1]);
    return { targets: given, values, unreadScores: scores };
  } catch (error) {
    scores.dispose();
    throw error;
  }
}

/**
 * The IG runs' values (the runs are disposed), with the class check's `unreadScores` (not disposed)
 * in the same round trip when given: checked for NaN / Inf on the host as `predictValues` checks
 * them, after the attributions they come with.
 * @throws {ModelError} the class check's scores hold a NaN or an Inf.
 */
export async function readRuns(
  runs: readonly tf.Tensor4D[],
  unreadScores: tf.Tensor2D | undefined,
  modelKind: string,
): Promise<Float32Array[]> {
  const reads = [...runs, ...(unreadScores ? [unreadScores] : [])].map((t) => t.data() as Promise<Float32Array>);
  const values = await Promise.all(reads).finally(() => tf.dispose([...runs]));
  if (unreadScores) checkFiniteScores(values.pop()!, modelKind);
  return values;
}
