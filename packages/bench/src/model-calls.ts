// SPDX-License-Identifier: Apache-2.0
import type * as tf from '@tensorflow/tfjs';

/**
 * Calls `onCall` with the batch size of every call of `model`'s apply (webxai's adapter runs a
 * tf.LayersModel through apply, in forward and in gradient passes alike; tfjs's own predict does not
 * use it), so a bench knows how many images a method sent through the model. Returns the function
 * that puts the model's own apply back (bound to the model).
 */
export function watchModelCalls(model: tf.LayersModel, onCall: (batch: number) => void): () => void {
  const apply = model.apply.bind(model);
  model.apply = (inputs, kwargs) => {
    const first = Array.isArray(inputs) ? inputs[0] : inputs;
    onCall(first?.shape[0] ?? 0);
    return apply(inputs, kwargs);
  };
  return () => {
    model.apply = apply;
  };
}
