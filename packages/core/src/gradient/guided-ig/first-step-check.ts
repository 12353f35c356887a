// SPDX-License-Identifier: Apache-2.0
// Why this exists: with a given target Guided IG predicts nothing, so its first step's gradient pass
// is what checks the call (the input's NaN / Inf check, the model's scores finite, the classes in
// range). gradientForTarget reads that check back before returning the gradient, which stalled the
// path: the host waited a GPU round trip for step 0 before recording the other steps. Here the pass
// keeps its scores and the check is read after the last step, in the readback that also waits for
// the path's GPU work (the explainer then has nothing left to wait for), with a small attribution
// riding along as its host copy. Same errors, in the same order; they come after the path instead
// of after its first step (a NaN input's path ends at once: its L1 total is not > 0).
import * as tf from '@tensorflow/tfjs';
import { ModelError, UnsupportedModelError } from '@webxai/shaders';
import { resolveTargets } from '../../api/targets.js';
import { readCheckedWithScores, type InputCheck } from '../../api/input-check.js';
import type { ModelAdapter } from '../../model/types.js';
import { inputGradient } from '../../interop/input-gradients.js';
import { keepHostCopy, takesHostCopy } from '../../interop/tfjs-webgpu.js';
import { targetsSeed } from '../score-seed.js';

/** The first step's gradient and the scores its check reads later (caller disposes both). */
export interface CheckedPass {
  readonly gradient: tf.Tensor4D;
  readonly scores: tf.Tensor2D;
}

/** d score[row, targets[row]] / d x, keeping the pass's scores for {@link readFirstStepCheck}. */
export function gradientKeepingScores(
  model: Pick<ModelAdapter, 'forward' | 'kind'>,
  x: tf.Tensor4D,
  targets: readonly number[],
): CheckedPass {
  const forward = model.forward;
  if (!forward) throw new UnsupportedModelError(`a ${model.kind} model has no differentiable forward pass`);
  let scores: tf.Tensor2D | undefined;
  try {
    const gradient = inputGradient((input) => {
      const y = forward(input);
      scores = tf.keep(y);
      return targetsSeed(y, targets);
    }, x);
    return { gradient, scores: scores! };
  } catch (error) {
    scores?.dispose();
    throw error;
  }
}

/**
 * Reads the first step's check after the path: the input (`inputCheck`), `scores` finite, the
 * `targets` in range, in one readback recorded after all of the path's work; `attribution` (not
 * disposed) comes back in it as its host copy when small. `scores` are not disposed.
 * @throws {InvalidInputError} the input has a NaN or Inf value.
 * @throws {ModelError} NaN or Inf scores.
 * @throws {InvalidOptionError} a class out of range.
 */
export async function readFirstStepCheck(
  model: Pick<ModelAdapter, 'kind'>,
  pass: { readonly scores: tf.Tensor2D; readonly inputCheck: InputCheck | undefined },
  targets: readonly number[],
  attribution: tf.Tensor,
): Promise<void> {
  const hostCopy = takesHostCopy(attribution.size) ? attribution : undefined;
  const read = await readCheckedWithScores(pass.inputCheck, [hostCopy], pass.scores);
  if (!read.scoresFinite) throw new ModelError(`the ${model.kind} model returned NaN or Inf scores`);
  await resolveTargets([...targets], pass.scores);
  if (hostCopy) keepHostCopy(hostCopy, read.values);
}
