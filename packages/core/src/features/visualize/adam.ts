// SPDX-License-Identifier: Apache-2.0
// Adam (Kingma & Ba 2015) on plain tensors, for gradient ascent. tf.train.adam would need tf.Variables,
// which tfjs registers globally by name; these tensors are local to one visualisation.
import * as tf from '@tensorflow/tfjs';

export interface AdamState {
  readonly m: tf.Tensor;
  readonly v: tf.Tensor;
  readonly t: number;
}

const [BETA1, BETA2, EPSILON] = [0.9, 0.999, 1e-8];

export function adamStart(like: tf.Tensor): AdamState {
  return { m: tf.zerosLike(like), v: tf.zerosLike(like), t: 0 };
}

/** One ascent step: returns the new variables and state; disposes the old state (not `x`, not `gradient`). */
export function adamAscend(x: tf.Tensor, gradient: tf.Tensor, state: AdamState, learningRate: number): { x: tf.Tensor; state: AdamState } {
  const t = state.t + 1;
  const out = tf.tidy(() => {
    const m = tf.add(tf.mul(state.m, BETA1), tf.mul(gradient, 1 - BETA1));
    const v = tf.add(tf.mul(state.v, BETA2), tf.mul(tf.square(gradient), 1 - BETA2));
    const rate = (learningRate * Math.sqrt(1 - BETA2 ** t)) / (1 - BETA1 ** t);
    const next = tf.add(x, tf.div(tf.mul(m, rate), tf.add(tf.sqrt(v), EPSILON)));
    return { next, m, v };
  });
  tf.dispose([state.m, state.v]);
  return { x: out.next, state: { m: out.m, v: out.v, t } };
}
