// SPDX-License-Identifier: Apache-2.0
// The activations of several layers from one forward pass (the split machinery's head gives one
// layer per pass).
import * as tf from '@tensorflow/tfjs';
import { layersProgram, runStep, type KeyedLayer } from '../../model/split/layers-program.js';
import type { ModelInput } from '../../model/types.js';

/**
 * Runs `model` on `x` (after `preprocess`) once and returns the output of each layer in `layers`
 * (keys from `modelLayers`), as new tensors the caller disposes.
 */
export function collectActivations(
  model: ModelInput,
  x: tf.Tensor4D,
  layers: readonly KeyedLayer[],
  preprocess: ((x: tf.Tensor4D) => tf.Tensor4D) | undefined,
): tf.Tensor4D[] {
  return tf.tidy(() => {
    const fed = preprocess ? preprocess(x) : x;
    if (model instanceof tf.GraphModel) {
      const out = model.execute(
        { [model.inputs[0]!.name.replace(/:0$/, '')]: fed },
        layers.map((l) => l.key),
      );
      return (Array.isArray(out) ? out : [out]) as tf.Tensor4D[];
    }
    const program = layersProgram(model as tf.LayersModel);
    const wanted = new Set(layers.map((l) => l.key));
    const values = new Map<string, tf.Tensor>([[program.inputKey, fed]]);
    for (const step of program.steps) {
      if ([...wanted].every((k) => values.has(k))) break;
      runStep(step, values);
    }
    return layers.map((l) => values.get(l.key) as tf.Tensor4D);
  });
}
