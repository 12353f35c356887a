// SPDX-License-Identifier: Apache-2.0
import { ModelError } from '@webxai/shaders';

/** The error for a tfjs model's NaN or Inf scores, however they were found (a flag read back, host values). */
export function nonFiniteScoresError(kind: string): ModelError {
  return new ModelError(`the ${kind} model returned NaN or Inf scores`);
}

/** Throws nonFiniteScoresError when scores read back to the host hold a NaN or an Inf. */
export function checkFiniteScores(values: ArrayLike<number>, kind: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) throw nonFiniteScoresError(kind);
  }
}
