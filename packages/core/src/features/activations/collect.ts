// SPDX-License-Identifier: Apache-2.0
// The activations of several layers from one forward pass (the split machinery's head gives one
// layer per pass), and one layer's activation as the forward pass of a gradient (feature
// visualisation's objective).
import * as tf from '@tensorflow/tfjs';
import { layersProgram, type KeyedLayer } from '../../model/split/layers-program.js';
import type { ModelInput } from '../../model/types.js';
import { runFusableStep } from '../../model/fused-relu-layers.js';
import { fusedReluGraphForward } from '../../model/fused-relu-graph.js';

const graphInputName = (model: tf.GraphModel) => model.inputs[0]!.name.replace(/:0$/, '');

/** Walks `model`'s program on `fed` until every key of `wanted` is computed; returns the values. */
function walkLayers(model: tf.LayersModel, fed: tf.Tensor4D, wanted: ReadonlySet<string>): Map<string, tf.Tensor> {
  const program = layersProgram(model);
  const values = new Map<string, tf.Tensor>([[program.inputKey, fed]]);
  for (const step of program.steps) {
    if ([...wanted].every((k) => values.has(k))) break;
    runFusableStep(step, values);
  }
  return values;
}

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
        { [graphInputName(model)]: fed },
        layers.map((l) => l.key),
      );
      return (Array.isArray(out) ? out : [out]) as tf.Tensor4D[];
    }
    const values = walkLayers(model as tf.LayersModel, fed, new Set(layers.map((l) => l.key)));
    return layers.map((l) => values.get(l.key) as tf.Tensor4D);
  });
}

/**
 * `layer`'s activation of x (after `preprocess`) as a function, the forward pass of a gradient
 * taken with respect to x (feature visualisation's objective). Inside webxai's own outermost
 * gradient pass (model/fused-relu-layers.ts fusesHere) its relu Conv2D / Dense layers, or a
 * GraphModel's fused conv nodes, run as one fused kernel each, as in webxai's other gradient passes:
 * the same activation and input gradient bit for bit, fewer dispatches. Elsewhere it is
 * collectActivations. Built once per objective: a GraphModel's cut (fused-graph-plan.ts) is planned
 * on the first call and kept.
 */
export function activationForward(
  model: ModelInput,
  layer: KeyedLayer,
  preprocess: ((x: tf.Tensor4D) => tf.Tensor4D) | undefined,
): (x: tf.Tensor4D) => tf.Tensor4D {
  if (model instanceof tf.GraphModel) {
    const forward = fusedReluGraphForward(model, graphInputName(model), layer.key);
    return (x) => tf.tidy(() => forward(preprocess ? preprocess(x) : x) as tf.Tensor4D);
  }
  const wanted = new Set([layer.key]);
  return (x) => tf.tidy(() => walkLayers(model as tf.LayersModel, preprocess ? preprocess(x) : x, wanted).get(layer.key) as tf.Tensor4D);
}
