// SPDX-License-Identifier: Apache-2.0
// Why this exists: with a given target Guided IG predicts nothing, so its first step's gradient pass
// is what checks the call (the input's NaN / Inf check, the model's scores finite, the classes in
// range). gradientForTarget reads that check back before returning the gradient, which stalled the
// path: the GPU ran out of work while the host waited a round trip for step 0. Here the pass keeps
// its scores, the check's readback starts right after it and is awaited once the second step is
// recorded: the GPU still has that step's work queued while the host waits. Same errors, in the
// same order, after at most two steps.
import type * as tf from '@tensorflow/tfjs';
import { resolveTargets } from '../../api/targets.js';
import { readCheckedWithScores, type InputCheck } from '../../api/input-check.js';
import type { ModelAdapter } from '../../model/types.js';
import { forwardOf, gradientAndScores } from '../target-gradients.js';
import { nonFiniteScoresError } from '../../model/non-finite-scores.js';

/** The first step's gradient and the scores its check reads later (caller disposes both). */
export interface CheckedPass {
  readonly gradient: tf.Tensor4D;
  readonly scores: tf.Tensor2D;
}

/** d score[row, targets[row]] / d x, keeping the pass's scores for {@link PendingFirstStepCheck}. */
export function gradientKeepingScores(
  model: Pick<ModelAdapter, 'forward' | 'kind'>,
  x: tf.Tensor4D,
  targets: readonly number[],
): CheckedPass {
  const { gradient, scores } = gradientAndScores(forwardOf(model), x, targets);
  return { gradient, scores };
}

/** Reads the first step's check: the input (`inputCheck`), `scores` finite, the `targets` in range, in one readback. */
async function readFirstStepCheck(
  model: Pick<ModelAdapter, 'kind'>,
  pass: { readonly scores: tf.Tensor2D; readonly inputCheck: InputCheck | undefined },
  targets: readonly number[],
): Promise<void> {
  const read = await readCheckedWithScores(pass.inputCheck, undefined, pass.scores);
  if (!read.scoresFinite) throw nonFiniteScoresError(model.kind);
  await resolveTargets([...targets], pass.scores);
}

/**
 * The first step's check while its readback is in flight: {@link start} it right after the first
 * pass, {@link settle} it when the host may wait, {@link dispose} it in any case (it owns the scores).
 */
export class PendingFirstStepCheck {
  #read: Promise<void> | undefined;
  #scores: tf.Tensor2D | undefined;

  /** Starts reading the check of `pass` (takes ownership of its scores). */
  start(
    model: Pick<ModelAdapter, 'kind'>,
    pass: { readonly scores: tf.Tensor2D; readonly inputCheck: InputCheck | undefined },
    targets: readonly number[],
  ): void {
    this.#scores = pass.scores;
    this.#read = readFirstStepCheck(model, pass, targets);
    this.#read.catch(() => {}); // thrown by settle; a path that fails first never awaits it
  }

  /**
   * Waits for the check (once; later calls return at once).
   * @throws {InvalidInputError} the input has a NaN or Inf value.
   * @throws {ModelError} NaN or Inf scores.
   * @throws {InvalidOptionError} a class out of range.
   */
  async settle(): Promise<void> {
    const read = this.#read;
    this.#read = undefined;
    await read;
  }

  /** Lets a pending readback finish (its error is the caller's to have thrown already) and frees the scores. */
  async dispose(): Promise<void> {
    await this.#read?.catch(() => {});
    this.#read = undefined;
    this.#scores?.dispose();
    this.#scores = undefined;
  }
}
