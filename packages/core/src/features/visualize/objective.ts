// SPDX-License-Identifier: Apache-2.0
// What feature visualisation maximises, one objective per image of the batch: a channel's mean
// activation (Olah et al.'s "channel"), one neuron (a channel at one position), or a class score.
import * as tf from '@tensorflow/tfjs';
import { InvalidOptionError } from '@webxai/shaders';
import { modelLayers, resolveLayers } from '../../model/split/list-layers.js';
import type { KeyedLayer } from '../../model/split/layers-program.js';
import type { ModelAdapter } from '../../model/types.js';
import { collectActivations } from '../activations/collect.js';
import { inputGradient } from '../../interop/input-gradients.js';

/** Which unit(s) to visualise: exactly one of these. */
export interface FeatureTarget {
  /** A layer from `listLayers` (nested `outer/inner`, GraphModel node names); needed except for `classIndex`. */
  readonly layer?: string;
  /** One channel of `layer` (its mean activation is maximised). */
  readonly channel?: number;
  /** Several channels of `layer`, one image each, optimised together as one batch. */
  readonly channels?: readonly number[];
  /** One neuron: a channel of `layer` at one position of its grid (default: the centre). */
  readonly neuron?: { readonly channel: number; readonly y?: number; readonly x?: number };
  /** One or more classes: the model's output score (layer not used). */
  readonly classIndex?: number | readonly number[];
}

/** A resolved objective: `perImage(x)` is [count], differentiable (call inside tf.grad). */
export interface Objective {
  readonly count: number;
  /** The layer used ('output' for classes). */
  readonly layer: string;
  /** Channel or class per image. */
  readonly units: number[];
  perImage(x: tf.Tensor4D): tf.Tensor1D;
  dispose(): void;
}

function checkUnits(what: string, units: readonly unknown[], size: number | null, where: string): number[] {
  return units.map((unit) => {
    const ok = Number.isInteger(unit) && (unit as number) >= 0 && (size === null || (unit as number) < size);
    if (!ok) {
      const range = size === null ? 'integers >= 0' : `0..${size - 1}`;
      throw new InvalidOptionError(`${what} ${String(unit)} is out of range: ${where} (valid: ${range})`);
    }
    return unit as number;
  });
}

function chosenKinds(target: FeatureTarget): string[] {
  return (['channel', 'channels', 'neuron', 'classIndex'] as const).filter((k) => target[k] !== undefined);
}

/**
 * Resolves the target options against the model.
 * @throws {InvalidOptionError} none or several of channel / channels / neuron / classIndex, or a unit out of range (lists the range).
 * @throws {UnknownLayerError} a missing or unusable layer (lists the valid layers).
 */
export function resolveObjective(
  model: ModelAdapter,
  target: FeatureTarget,
  inputShape: readonly [number, number, number],
  preprocess: ((x: tf.Tensor4D) => tf.Tensor4D) | undefined,
): Objective {
  const kinds = chosenKinds(target);
  if (kinds.length !== 1) {
    throw new InvalidOptionError(
      `pass exactly one of channel, channels, neuron or classIndex (got ${kinds.length ? kinds.join(', ') : 'none'})`,
    );
  }
  if (target.classIndex !== undefined) {
    const list = typeof target.classIndex === 'number' ? [target.classIndex] : [...target.classIndex];
    const classes = probeClasses(model, inputShape);
    const units = checkUnits('classIndex', list, classes, `the model has ${classes} classes`);
    return unitObjective('output', units, classes, (x) => model.forward!(x));
  }
  if (target.layer === undefined) throw new InvalidOptionError(`${kinds[0]} needs a layer (see listLayers(model))`);
  const layers = modelLayers(model.source, model.kind === 'graph' ? { inputShape } : {});
  const [layer] = resolveLayers(layers, target.layer) as [KeyedLayer];
  const [, lh, lw, k] = layer.outputShape;
  const depth = k ?? null;
  const where = `layer '${layer.name}' has ${depth ?? 'an unknown number of'} channels`;
  const activation = (x: tf.Tensor4D) => collectActivations(model.source, x, [layer], preprocess)[0]!;
  if (target.neuron !== undefined) {
    const { channel, y, x } = target.neuron;
    const [unit] = checkUnits('neuron channel', [channel], depth, where);
    const gridH = lh ?? 1;
    const gridW = lw ?? 1;
    const [row] = checkUnits('neuron y', [y ?? Math.floor(gridH / 2)], lh ?? null, `layer '${layer.name}' is ${gridH} high`);
    const [col] = checkUnits('neuron x', [x ?? Math.floor(gridW / 2)], lw ?? null, `layer '${layer.name}' is ${gridW} wide`);
    return unitObjective(layer.name, [unit!], depth ?? unit! + 1, (v) => {
      const a = activation(v);
      return tf.reshape<tf.Rank.R2>(tf.slice(a, [0, row!, col!, 0], [-1, 1, 1, -1]), [a.shape[0], a.shape[3]]);
    });
  }
  const list = target.channel !== undefined ? [target.channel] : [...target.channels!];
  if (list.length === 0) throw new InvalidOptionError('channels must list at least one channel');
  const units = checkUnits('channel', list, depth, where);
  return unitObjective(layer.name, units, depth ?? Math.max(...units) + 1, (v) => tf.mean<tf.Tensor2D>(activation(v), [1, 2]));
}

/** Each image's own unit of a [count, units] response. */
function unitObjective(layer: string, units: number[], width: number, response: (x: tf.Tensor4D) => tf.Tensor2D): Objective {
  const mask = tf.tidy(() => tf.oneHot(tf.tensor1d(units, 'int32'), width).toFloat());
  return {
    count: units.length,
    layer,
    units,
    perImage: (x) => tf.sum<tf.Tensor1D>(tf.mul(response(x), mask), 1),
    dispose: () => mask.dispose(),
  };
}

function probeClasses(model: ModelAdapter, inputShape: readonly [number, number, number]): number {
  const scores = tf.tidy(() => model.forward!(tf.zeros<tf.Rank.R4>([1, ...inputShape])));
  const classes = scores.shape[1];
  scores.dispose();
  return classes;
}

/**
 * One forward + backward pass of the model: d sum_i objective_i(seen) / d seen and the objective per
 * image (new tensors; `seen` is not disposed), the filter gradients tfjs would compute and drop skipped.
 * Shared by the cpu and webgpu steps.
 * The pass differentiates the [count] objective itself, which tf.grad seeds with ones: the gradient
 * of its sum, bit for bit (the sum's backward only broadcast the scalar 1 to ones), without the sum's
 * reduce and the broadcast of its gradient, two tfjs programs per step that nothing reads.
 */
export function objectiveGradient(objective: Objective, seen: tf.Tensor4D): { gradient: tf.Tensor4D; value: tf.Tensor1D } {
  const kept: { value?: tf.Tensor1D } = {};
  try {
    const gradient = tf.tidy(() =>
      inputGradient((x) => {
        kept.value = tf.keep(objective.perImage(x));
        return kept.value;
      }, seen),
    );
    return { gradient, value: kept.value! };
  } catch (error) {
    kept.value?.dispose();
    throw error;
  }
}
