// SPDX-License-Identifier: Apache-2.0
// Why this exists: every gradient webxai takes goes through tf.grad / tf.grads, and each such pass
// must (1) skip the weight gradients tfjs computes eagerly and drops (unneeded-filter-gradients,
// ADR 0007) and (2) free the tape's saved tensors when the pass throws. Six call sites did both by
// hand; a new one could forget either. These two functions are the one place that does both
// (eslint.config.js rejects a bare tf.grad in packages/core/src outside this file).
import * as tf from '@tensorflow/tfjs';
import { skipUnneededFilterGradients } from './unneeded-filter-gradients.js';

/** The engine's tape, as far as {@link discardTape} needs it (tfjs-core exports no type for its nodes). */
interface TapeState {
  readonly gradientDepth: number;
  activeTape: { readonly saved?: tf.Tensor[] }[] | null;
}

/**
 * What tfjs does after a successful outermost tf.grad, for one that threw (the model threw, returned
 * a bad shape, or has an op without a gradient): the tensors the tape saved for the backward pass
 * are kept clones that nothing else would ever dispose. Inside somebody else's gradient (depth > 0)
 * the tape is theirs and is left alone.
 */
function discardTape(): void {
  const state = tf.engine().state as unknown as TapeState;
  if (state.gradientDepth !== 0 || !state.activeTape) return;
  for (const node of state.activeTape) node.saved?.forEach((t) => t.dispose());
  state.activeTape = null;
}

/** Runs `pass`, discarding the tape if it throws (the error is rethrown unchanged). */
function discardingTapeOnError<T>(pass: () => T): T {
  try {
    return pass();
  } catch (error) {
    discardTape();
    throw error;
  }
}

/**
 * d f(x) / d x (tf.grad): `f` runs the forward pass and returns the tensor to differentiate (summed
 * when not a scalar, as tf.grad does). The weight gradients tfjs would compute and drop are skipped
 * (bit-identical result); a pass that throws frees the tape and rethrows. Returns a new tensor of
 * `x`'s shape; `x` is not disposed. Tensors `f` wants to keep past the pass it `tf.keep`s itself.
 *
 * @example
 * const g = inputGradient((x) => targetScoreSum(model.apply(x) as tf.Tensor2D, [3]), images);
 */
export function inputGradient<T extends tf.Tensor>(f: (x: T) => tf.Tensor, x: T): T {
  const withSkip = (input: tf.Tensor) => {
    const y = f(input as T);
    skipUnneededFilterGradients([input]);
    return y;
  };
  return discardingTapeOnError(() => tf.grad(withSkip)(x) as T);
}

/**
 * {@link inputGradient} for several inputs at once (tf.grads): d f(...xs) / d xs[i] for every i, in
 * one backward pass, as new tensors in the order of `xs`.
 *
 * @example
 * const [dA, dB] = inputGradients((a, b) => tf.sum(tail(a, b)), [tapA, tapB]);
 */
export function inputGradients<T extends tf.Tensor>(f: (...xs: T[]) => tf.Tensor, xs: readonly T[]): T[] {
  const withSkip = (...inputs: tf.Tensor[]) => {
    const y = f(...(inputs as T[]));
    skipUnneededFilterGradients(inputs);
    return y;
  };
  return discardingTapeOnError(() => tf.grads(withSkip)([...xs]) as T[]);
}
