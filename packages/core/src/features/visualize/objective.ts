// SPDX-License-Identifier: Apache-2.0
// What feature visualisation maximises, one objective per image of the batch: a channel's mean
// activation (Olah et al.'s "channel"), one neuron (a channel at one position), or a class score.
import * as tf from '@tensorflow/tfjs';
import { InvalidOptionError } from '@webxai/shaders';
import { modelLayers, resolveLayers } from '../../model/split/list-layers.js';
import type { KeyedLayer } from '../../model/split/layers-program.js';
import type { ModelAdapter } from '../../model/types.js';
import { activationForward } from '../activations/collect.js';
import { inputGradient } from '../../interop/input-gradients.js';
import { adaptModel } from '../../model/adapt.js';

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

/**
 * A resolved objective: `perImage(x)` is [count], differentiable (call inside tf.grad). With
 * `seededWithOnes` its gradient assumes the gradient arriving at the [count] vector is all ones, as
 * when tf.grad differentiates the vector itself (objectiveGradient), and hands back the seed without
 * multiplying by it; any other caller leaves it false.
 */
export interface Objective {
  readonly count: number;
  /** The layer used ('output' for classes). */
  readonly layer: string;
  /** Channel or class per image. */
  readonly units: number[];
  perImage(x: tf.Tensor4D, seededWithOnes?: boolean): tf.Tensor1D;
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
    return linearObjective('output', units, (x) => model.forward!(x), classObjective(units, classes));
  }
  if (target.layer === undefined) throw new InvalidOptionError(`${kinds[0]} needs a layer (see listLayers(model))`);
  const layers = modelLayers(model.source, model.kind === 'graph' ? { inputShape } : {});
  const [layer] = resolveLayers(layers, target.layer) as [KeyedLayer];
  const [, lh, lw, k] = layer.outputShape;
  const depth = k ?? null;
  const where = `layer '${layer.name}' has ${depth ?? 'an unknown number of'} channels`;
  const activation = activationForward(model.source, layer, preprocess);
  if (target.neuron !== undefined) {
    const { channel, y, x } = target.neuron;
    const [unit] = checkUnits('neuron channel', [channel], depth, where);
    const gridH = lh ?? 1;
    const gridW = lw ?? 1;
    const [row] = checkUnits('neuron y', [y ?? Math.floor(gridH / 2)], lh ?? null, `layer '${layer.name}' is ${gridH} high`);
    const [col] = checkUnits('neuron x', [x ?? Math.floor(gridW / 2)], lw ?? null, `layer '${layer.name}' is ${gridW} wide`);
    return linearObjective(layer.name, [unit!], activation, neuronObjective([unit!], depth ?? unit! + 1, row!, col!));
  }
  const list = target.channel !== undefined ? [target.channel] : [...target.channels!];
  if (list.length === 0) throw new InvalidOptionError('channels must list at least one channel');
  const units = checkUnits('channel', list, depth, where);
  return linearObjective(layer.name, units, activation, channelObjective(units, depth ?? Math.max(...units) + 1));
}

/** Row i one-hot at units[i] over `width`: values known on the host, so no OneHot program. */
function unitMask(units: readonly number[], width: number): tf.Tensor2D {
  return tf.tensor2d(oneHotRows(units, 1, width), [units.length, width]);
}

/**
 * `units.length` blocks of `positions` rows of `width`, block i one-hot at units[i] in every row: a
 * [count, width] mask broadcast over `positions` positions per image, or the mask itself at 1.
 */
function oneHotRows(units: readonly number[], positions: number, width: number): Float32Array {
  const values = new Float32Array(units.length * positions * width);
  units.forEach((unit, i) => {
    for (let p = 0; p < positions; p++) values[(i * positions + p) * width + unit] = 1;
  });
  return values;
}

/**
 * An objective linear in the model's response r ([count, ...]: a layer's activation or the class
 * scores). `reference` is its formulation in tfjs ops; since it is linear, its gradient with respect
 * to r does not depend on r: that gradient is the seed. `seed(shape)` builds it as tfjs's backward
 * pass of `reference` would (the tests pin it to tfjs's gradient bit for bit): its values are the
 * mask's 0s and 1s, placed on the host, and at most the one division tfjs's Mean gradient makes, run
 * by tfjs, so it rounds as before on every backend. Session 28 made it by running `reference`'s
 * forward and backward at zeros: Tile x2, an average pooling and binary programs, ~4 ms per
 * visualizeFeature call on SwiftShader. `value` may evaluate the objective more cheaply than
 * `reference` (default: `reference`).
 */
interface LinearResponse {
  readonly mask: tf.Tensor2D;
  readonly reference: (response: tf.Tensor) => tf.Tensor1D;
  readonly value?: (response: tf.Tensor) => tf.Tensor1D;
  readonly seed: (shape: readonly number[]) => tf.Tensor;
}

/** Each image's own class score. Its seed is the mask (1 * mask: the Sum and Multiply gradients). */
function classObjective(units: readonly number[], classes: number): LinearResponse {
  const mask = unitMask(units, classes);
  return { mask, reference: (scores) => tf.sum<tf.Tensor1D>(tf.mul(scores, mask), 1), seed: () => tf.clone(mask) };
}

/**
 * One neuron per image: the activation at (row, col) of its channel. Its seed is the mask at
 * (row, col) and zeros elsewhere (the Slice gradient pads the mask with zeros).
 */
function neuronObjective(units: readonly number[], depth: number, row: number, col: number): LinearResponse {
  const mask = unitMask(units, depth);
  return {
    mask,
    reference: (a) => {
      const [n, , , k] = a.shape as [number, number, number, number];
      return tf.sum<tf.Tensor1D>(tf.mul(tf.reshape(tf.slice(a, [0, row, col, 0], [-1, 1, 1, -1]), [n, k]), mask), 1);
    },
    seed: (shape) => {
      const [n, h, w, k] = shape as [number, number, number, number];
      const values = new Float32Array(n * h * w * k);
      units.forEach((unit, i) => (values[((i * h + row) * w + col) * k + unit] = 1));
      return tf.tensor(values, [n, h, w, k]);
    },
  };
}

/**
 * Each image's channel mean. The value picks each image's channel with one batched matMul of the
 * [n, h * w, k] activation by its mask column (a * 1 + 0 * others: the channel's values exactly),
 * then means the [n, h * w] rows (a contiguous reduce): where mean over [1, 2] ran as an average
 * pooling over every channel (interop/mean-as-avg-pool.ts) plus the mask's multiply and sum. On
 * SwiftShader (browser timeline, load 9) that is ~21 ms per 8-step run against ~26 ms; the sums run
 * in another order, so values can differ from the old ones in the last bits (6.5e-7 relative at
 * most in the probe runs; the tests bound it at 1e-6). The gradient does not depend on it.
 */
function channelObjective(units: readonly number[], depth: number): LinearResponse {
  const mask = unitMask(units, depth);
  return {
    mask,
    // tfjs's Mean gradient: the mask broadcast over [h, w] (mul by ones: exact), divided by h * w.
    seed: (shape) => {
      const [n, h, w, k] = shape as [number, number, number, number];
      return tf.div(tf.tensor(oneHotRows(units, h * w, k), [n, h, w, k]), h * w);
    },
    reference: (a) => tf.sum<tf.Tensor1D>(tf.mul(tf.mean<tf.Tensor2D>(a, [1, 2]), mask), 1),
    value: (a) => {
      const [n, h, w, k] = a.shape as [number, number, number, number];
      const picked = tf.matMul(tf.reshape<tf.Rank.R3>(a, [n, h * w, k]), tf.reshape<tf.Rank.R3>(mask, [n, k, 1]));
      return tf.mean<tf.Tensor1D>(tf.reshape(picked, [n, h * w]), 1);
    },
  };
}

/**
 * The objective as one differentiable op on the response whose gradient is seed * dy (dy per image,
 * broadcast): one multiply in the backward pass where tfjs would run the gradients of the
 * reference's ops (Tile and binary programs, every step). Under objectiveGradient dy is ones, so the
 * gradient is the seed itself: bit for bit what tfjs's gradient of the reference gives, handed back
 * as a clone (tfjs's Identity shares the data: no program) instead of a multiply by ones. A seed is made on
 * the first call per response shape (LinearResponse.seed) and kept until dispose.
 */
function linearObjective(layer: string, units: number[], response: (x: tf.Tensor4D) => tf.Tensor, linear: LinearResponse): Objective {
  const seeds = new Map<string, tf.Tensor>();
  const seedOf = (shape: readonly number[]) => {
    const key = shape.join();
    if (!seeds.has(key)) seeds.set(key, tf.keep(tf.tidy(() => linear.seed(shape))));
    return seeds.get(key)!;
  };
  const value = linear.value ?? linear.reference;
  const op = (r: tf.Tensor, seed: tf.Tensor, seededWithOnes: boolean) =>
    tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const input = args[0] as tf.Tensor;
      const perImage = [input.shape[0], ...input.shape.slice(1).map(() => 1)];
      const gradFunc = (dy: tf.Tensor) => (seededWithOnes ? tf.clone(seed) : tf.mul(seed, tf.reshape(dy, perImage)));
      return { value: value(input), gradFunc };
    })(r);
  return {
    count: units.length,
    layer,
    units,
    perImage: (x, seededWithOnes = false) => {
      const r = response(x);
      return op(r, seedOf(r.shape), seededWithOnes);
    },
    dispose: () => tf.dispose([linear.mask, ...seeds.values()]),
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
        kept.value = tf.keep(objective.perImage(x, true));
        return kept.value;
      }, seen),
    );
    return { gradient, value: kept.value! };
  } catch (error) {
    kept.value?.dispose();
    throw error;
  }
}

/** The model + objective pass of {@link featureObjectivePass}. Tensors it returns belong to the caller. */
export interface FeatureObjectivePass {
  /** Images per batch (one per unit of the target). */
  readonly count: number;
  /** d sum_i objective_i(x) / d x and each image's objective: visualizeFeature's pass of one step. */
  gradient(x: tf.Tensor4D): { gradient: tf.Tensor4D; value: tf.Tensor1D };
  /** Each image's objective, no gradient: visualizeFeature's evaluation of its final images. */
  value(x: tf.Tensor4D): tf.Tensor1D;
  /** Frees the objective's mask and gradient seeds. */
  dispose(): void;
}

/**
 * The forward + backward pass visualizeFeature runs once per step, on its own (the same objective,
 * fusion and gradient seeds, bit for bit): for benchmarks that compare visualizeFeature against the
 * model work it cannot avoid. `x` is a [count, ...inputShape] batch in the model's input space.
 * @throws {InvalidOptionError} / {UnknownLayerError} as visualizeFeature, for a bad target.
 *
 * @example
 * const pass = featureObjectivePass(model, { layer: 'conv2', channels: [0, 1] }, [128, 128, 3]);
 * const { gradient, value } = pass.gradient(batch); // batch: [2, 128, 128, 3]
 */
export function featureObjectivePass(
  model: tf.LayersModel | tf.GraphModel,
  target: FeatureTarget,
  inputShape: readonly [number, number, number],
): FeatureObjectivePass {
  const objective = resolveObjective(adaptModel(model), target, inputShape, undefined);
  return {
    count: objective.count,
    gradient: (x) => objectiveGradient(objective, x),
    value: (x) => tf.tidy(() => objective.perImage(x)),
    dispose: () => objective.dispose(),
  };
}
