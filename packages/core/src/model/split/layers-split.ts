// SPDX-License-Identifier: Apache-2.0
// Splitting a LayersModel at a layer. Design (correct for skip connections): the head runs every
// step the output needs that does NOT depend on the layer's activation — the layer itself and,
// e.g., the other branch of a residual block — and hands the tail those values ("context"). The
// tail runs exactly the steps that depend on the activation, reading the fed activation and the
// context. Each step runs once per forward pass, so head + tail cost one forward pass, and a
// gradient taken through `tail` flows only to the activation.
import * as tf from '@tensorflow/tfjs';
import { UnknownLayerError } from '@webxai/shaders';
import { runStep, type KeyedLayer, type LayersProgram, type Step } from './layers-program.js';
import type { ModelSplit, SplitContext, TappedModel } from './types.js';
import { runFusableStep } from '../fused-relu-layers.js';

/** Steps the output needs, in order. */
function neededSteps(program: LayersProgram): Step[] {
  const needed = new Set<Step>();
  const stack = [program.outputKey];
  while (stack.length) {
    const step = program.producer.get(stack.pop()!);
    if (!step || needed.has(step)) continue;
    needed.add(step);
    stack.push(...step.inputs);
  }
  return program.steps.filter((s) => needed.has(s));
}

/**
 * Splits a LayersModel program at `layer`.
 * @throws {UnknownLayerError} the model's output does not depend on the layer (nothing to differentiate).
 */
export function splitLayersProgram(
  program: LayersProgram,
  layer: KeyedLayer,
  candidates: readonly string[],
  preprocess: ((x: tf.Tensor4D) => tf.Tensor4D) | undefined,
): ModelSplit {
  const needed = neededSteps(program);
  const dependent = new Set<string>([layer.key]);
  const tail: Step[] = [];
  const head: Step[] = [];
  for (const step of needed) {
    if (step.inputs.some((k) => dependent.has(k))) {
      tail.push(step);
      step.outputs.forEach((k) => dependent.add(k));
    } else {
      head.push(step);
    }
  }
  if (layer.key !== program.outputKey && !dependent.has(program.outputKey)) {
    throw new UnknownLayerError(
      `the model's output does not depend on layer '${layer.name}', so it cannot be explained from there`,
      candidates,
    );
  }
  const headKeys = new Set<string>([program.inputKey, ...head.flatMap((s) => s.outputs)]);
  const contextKeys = [...new Set(tail.flatMap((s) => s.inputs))].filter((k) => k !== layer.key && headKeys.has(k));

  return {
    layer: { name: layer.name, outputShape: layer.outputShape, kind: layer.kind, className: layer.className },
    head(x) {
      const { activation, list } = tf.tidy(() => {
        const values = new Map<string, tf.Tensor>([[program.inputKey, preprocess ? preprocess(x) : x]]);
        for (const step of head) runStep(step, values);
        // The caller disposes the context: never hand it the caller's own input tensor.
        const own = (t: tf.Tensor) => (t === x ? tf.clone(t) : t);
        return { activation: own(values.get(layer.key)!) as tf.Tensor4D, list: contextKeys.map((k) => own(values.get(k)!)) };
      });
      return { activation, context: new Map(contextKeys.map((k, i) => [k, list[i]!] as const)) };
    },
    tail(context, activation) {
      const values = new Map<string, tf.Tensor>(context);
      values.set(layer.key, activation);
      // Inside webxai's gradient pass a relu Conv2D / Dense runs as one fused kernel (model/fused-relu-layers.ts).
      for (const step of tail) runFusableStep(step, values);
      return values.get(program.outputKey) as tf.Tensor2D;
    },
  };
}

/** Tensors of a head's context, for disposal. */
export function contextTensors(context: SplitContext): tf.Tensor[] {
  return [...context.values()];
}

/**
 * The program as a {@link TappedModel} at `layers`, or undefined when one of them is not a step's
 * output that the model's output needs (the per-layer split then reports it).
 */
export function tapLayersProgram(
  program: LayersProgram,
  layers: readonly KeyedLayer[],
  preprocess: ((x: tf.Tensor4D) => tf.Tensor4D) | undefined,
): TappedModel | undefined {
  const needed = neededSteps(program);
  const produced = new Set(needed.flatMap((s) => s.outputs));
  if (!layers.every((l) => produced.has(l.key))) return undefined;
  return {
    layers: layers.map(({ name, outputShape, kind, className }) => ({ name, outputShape, kind, className })),
    run(x, taps, capture) {
      const values = new Map<string, tf.Tensor>([[program.inputKey, preprocess ? preprocess(x) : x]]);
      for (const step of needed) {
        runStep(step, values);
        for (const key of step.outputs) {
          // A key can be two layers' (a nested model and its last layer): each gets its tap.
          layers.forEach((layer, i) => {
            if (layer.key !== key) return;
            const tap = taps[i];
            const value = (tap ? tf.add(values.get(key)!, tap) : values.get(key)!) as tf.Tensor4D;
            values.set(key, value);
            capture(i, value);
          });
        }
      }
      return values.get(program.outputKey) as tf.Tensor2D;
    },
  };
}
