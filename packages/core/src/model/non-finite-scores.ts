// SPDX-License-Identifier: Apache-2.0
import { ModelError } from '@webxai/shaders';

/** The error for a tfjs model's NaN or Inf scores, however they were found (a flag read back, host values). */
export function nonFiniteScoresError(kind: string): ModelError {
  return new ModelError(`the ${kind} model returned NaN or Inf scores`);
}
