// SPDX-License-Identifier: Apache-2.0
import type * as tf from '@tensorflow/tfjs';
import { InvalidOptionError } from '@webxai/shaders';
import type { ModelInput } from '../model/types.js';
import { createExplainerFor, type Explainer } from './explainer.js';
import { METHODS } from './methods.js';
import type { MethodDefinition, MethodName, OptionsFor, ResultFor } from './types.js';

/** Names of every method `explain` knows. */
export function listMethods(): MethodName[] {
  return Object.keys(METHODS) as MethodName[];
}

/** The definition of `method`, or an InvalidOptionError listing the methods there are. */
export function definitionOf<M extends MethodName>(method: M): MethodDefinition<M> {
  const definition = (METHODS as Record<string, MethodDefinition<MethodName> | undefined>)[method as string];
  if (!definition) {
    throw new InvalidOptionError(`unknown method '${String(method)}'; available: ${listMethods().join(', ') || '(none)'}`);
  }
  return definition as unknown as MethodDefinition<M>;
}

/**
 * Prepares `options.method` for `model`, to explain many inputs (e.g. video frames).
 *
 * @example
 * const ig = createExplainer(model, { method: 'integrated-gradients', steps: 64 });
 * const r = await ig.explain(frame); // r.attribution: tf.Tensor, caller disposes
 * ig.dispose();
 */
export function createExplainer<M extends MethodName>(model: ModelInput, options: OptionsFor<M>): Explainer<M> {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError('options must be an object with a method');
  return createExplainerFor(definitionOf(options.method), model, options);
}

/**
 * Explains why `model` gives its score for the target class on `input`.
 *
 * @param model a tf.LayersModel, tf.GraphModel, a function (x: Tensor4D) => Tensor2D, or a black box
 *   `{ predict(batch: Float32Array, shape): Promise<Float32Array> }` (perturbation methods only).
 * @param input float32 [h, w, c] or [n, h, w, c] in the model's input layout.
 */
export async function explain<M extends MethodName>(model: ModelInput, input: tf.Tensor, options: OptionsFor<M>): Promise<ResultFor<M>> {
  const explainer = createExplainer(model, options);
  try {
    return await explainer.explain(input);
  } finally {
    explainer.dispose();
  }
}
