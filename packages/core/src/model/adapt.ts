// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { AbortedError, ModelError, throwIfAborted, UnsupportedModelError } from '@webxai/shaders';
import type { BlackBoxModel, ModelAdapter, ModelInput, ModelScores } from './types.js';
import { checkScores } from './check-scores.js';
import { fusedReluGraphForward } from './fused-relu-graph.js';
import { fusedReluLayersForward } from './fused-relu-layers.js';
import { raceAbort } from '../api/abort.js';
import { rejectOption } from '../api/options.js';
import { checkFiniteScores, nonFiniteScoresError } from './non-finite-scores.js';

/** Options for {@link adaptModel}. */
export interface AdaptOptions {
  /** Applied to the input before the model (e.g. scale 0..255 to -1..1); attributions are w.r.t. the raw input. */
  readonly preprocess?: (x: tf.Tensor4D) => tf.Tensor4D;
}

function isLayersModel(model: unknown): model is tf.LayersModel {
  return (
    model instanceof tf.LayersModel ||
    (typeof model === 'object' && model !== null && 'layers' in model && 'apply' in model && 'getLayer' in model)
  );
}

/** What was passed, for messages: `undefined`, `null`, `a number (42)`, `an object with keys [a, b]`. */
export function describeModel(model: unknown): string {
  if (model === undefined || model === null) return String(model);
  if (typeof model === 'number' || typeof model === 'boolean') return `a ${typeof model} (${String(model)})`;
  if (typeof model === 'string') return `a string (${JSON.stringify(model.length > 40 ? `${model.slice(0, 40)}...` : model)})`;
  if (typeof model === 'function') return 'a function';
  if (typeof model !== 'object') return `a ${typeof model}`;
  const name = model.constructor?.name;
  const keys = Object.keys(model).slice(0, 8);
  return `${name && name !== 'Object' ? `a ${name}` : 'an object'} with keys [${keys.join(', ')}]`;
}

/** A duck-typed LayersModel must still have the parts webxai reads. */
function checkLayersShape(model: tf.LayersModel): void {
  if (!Array.isArray(model.inputs) || !Array.isArray(model.outputs)) {
    throw new UnsupportedModelError(
      `this looks like a tf.LayersModel (it has layers, apply and getLayer) but has no inputs/outputs arrays (got ${describeModel(model)}); pass a built tf.LayersModel`,
    );
  }
}

function isGraphModel(model: unknown): model is tf.GraphModel {
  return (
    model instanceof tf.GraphModel ||
    (typeof model === 'object' && model !== null && 'execute' in model && 'executeAsync' in model && 'modelVersion' in model)
  );
}

function isBlackBox(model: unknown): model is BlackBoxModel {
  return typeof model === 'object' && model !== null && typeof (model as BlackBoxModel).predict === 'function';
}

function shapeOf(dims: readonly (number | null)[] | undefined): ModelAdapter['inputShape'] {
  if (!dims || dims.length !== 4) return undefined;
  const d = (v: number | null | undefined) => (v === undefined || v === null || v < 0 ? null : v);
  return [d(dims[1]), d(dims[2]), d(dims[3])];
}

/**
 * Normalises any supported model into a {@link ModelAdapter}.
 * @throws {UnsupportedModelError} for anything else, naming what was received.
 */
export function adaptModel(model: ModelInput, options: AdaptOptions = {}): ModelAdapter {
  const pre = options.preprocess;
  const withPre = (f: (x: tf.Tensor4D) => tf.Tensor) => (x: tf.Tensor4D) => f(pre ? pre(x) : x) as tf.Tensor2D;

  if (isLayersModel(model)) {
    checkLayersShape(model);
    if (model.inputs.length !== 1 || model.outputs.length !== 1) {
      throw new UnsupportedModelError(
        `LayersModel "${model.name}" has ${model.inputs.length} inputs and ${model.outputs.length} outputs; webxai explains single-input, single-output image classifiers`,
      );
    }
    // Inside webxai's gradient passes its relu Conv2D / Dense layers stay fused (model/fused-relu-layers.ts).
    const fused = fusedReluLayersForward(model);
    const forward = withPre((x) => fused(() => model.apply(x, { training: false }) as tf.Tensor));
    return syncAdapter('layers', model, shapeOf(model.inputs[0]!.shape), forward);
  }
  if (isGraphModel(model)) {
    if (!Array.isArray(model.inputs) || !Array.isArray(model.outputs)) {
      throw new UnsupportedModelError(
        `this looks like a tf.GraphModel but has no inputs/outputs arrays (got ${describeModel(model)}); pass a loaded tf.GraphModel`,
      );
    }
    if (model.inputs.length !== 1) {
      throw new UnsupportedModelError(`GraphModel has ${model.inputs.length} inputs; webxai explains single-input image classifiers`);
    }
    const outputName = model.outputs[0]?.name;
    // Inside webxai's gradient passes its relu _FusedConv2D nodes stay fused (model/fused-relu-graph.ts).
    const fused = outputName ? fusedReluGraphForward(model, model.inputs[0]!.name, outputName) : (x: tf.Tensor4D) => model.execute(x);
    const forward = withPre((x) => fused(x) as tf.Tensor);
    return syncAdapter('graph', model, shapeOf(model.inputs[0]!.shape), forward);
  }
  if (typeof model === 'function') {
    return syncAdapter('function', model, undefined, withPre(model));
  }
  if (isBlackBox(model)) return blackBoxAdapter(model, pre);
  throw new UnsupportedModelError(
    `cannot explain ${describeModel(model)}: pass a tf.LayersModel, a tf.GraphModel, a function (x: Tensor4D) => Tensor2D, or { predict(batch, shape): Promise<Float32Array> }`,
  );
}

/**
 * The fix, when a model call failed because one of its tensors outgrew the device's largest storage
 * binding (WebGPU's validation text): a smaller batch. Batches are sized by the model's largest
 * activation where webxai can see it (model/activation-bytes.ts), not inside a model function.
 */
function bindingLimitHint(cause: unknown, batch: number): string {
  const text = cause instanceof Error ? cause.message : '';
  if (!/maximum storage buffer binding size/i.test(text)) return '';
  return batch > 1
    ? `. A tensor of this batch of ${batch} images is larger than the device can bind at once: pass a smaller batchSize`
    : '. A tensor of one image is larger than the device can bind at once: this model does not fit this device';
}

function syncAdapter(
  kind: 'layers' | 'graph' | 'function',
  source: ModelInput,
  inputShape: ModelAdapter['inputShape'],
  forward: (x: tf.Tensor4D) => tf.Tensor2D,
): ModelAdapter {
  const checkedForward = (x: tf.Tensor4D): tf.Tensor2D => {
    let y: tf.Tensor;
    try {
      y = forward(x);
    } catch (cause) {
      throw new ModelError(
        `the ${kind} model threw on an input of shape [${x.shape}]: ${(cause as Error)?.message ?? cause}${bindingLimitHint(cause, x.shape[0])}`,
        { cause },
      );
    }
    checkScores(y, x.shape[0], kind);
    return y as tf.Tensor2D;
  };
  return {
    kind,
    source,
    inputShape,
    differentiable: true,
    forward: checkedForward,
    async predict(x, signal) {
      throwIfAborted(signal, 'predict');
      const y = tf.tidy(() => checkedForward(x));
      await assertFinite(y, kind);
      return y;
    },
    async predictValues(x, signal) {
      throwIfAborted(signal, 'predict');
      const y = tf.tidy(() => checkedForward(x));
      const classes = y.shape[1];
      const values = (await y.data().finally(() => y.dispose())) as Float32Array;
      checkFiniteScores(values, kind);
      return { values, classes };
    },
  };
}

async function assertFinite(y: tf.Tensor, kind: string): Promise<void> {
  const bad = tf.tidy(() => tf.logicalNot(tf.all(tf.isFinite(y))));
  const [flag] = await bad.data();
  bad.dispose();
  if (flag) {
    y.dispose();
    throw nonFiniteScoresError(kind);
  }
}

/** Checks a black box's declared `maxBatch` and `numClasses` (positive integers when given). */
export function checkBlackBoxModel(model: BlackBoxModel): void {
  for (const name of ['maxBatch', 'numClasses'] as const) {
    const value: unknown = model[name];
    if (value !== undefined && !(typeof value === 'number' && Number.isSafeInteger(value) && value >= 1)) {
      rejectOption('black-box model', name, 'an integer >= 1 (or absent)', value);
    }
  }
}

const classCounts = new WeakMap<BlackBoxModel, number>();

/** A black box must keep its number of classes from call to call (webxai indexes scores by class). */
export function checkClassCount(model: BlackBoxModel, classes: number): void {
  const first = classCounts.get(model);
  if (first === undefined) classCounts.set(model, classes);
  else if (first !== classes) {
    throw new ModelError(
      `the black-box model's predict() returned ${classes} classes per image, but ${first} before; it must return the same classes every call (set numClasses to check this up front)`,
    );
  }
}

function blackBoxAdapter(model: BlackBoxModel, pre: AdaptOptions['preprocess']): ModelAdapter {
  checkBlackBoxModel(model);
  const maxBatch = model.maxBatch ?? Number.POSITIVE_INFINITY;
  const predictValues = async (x: tf.Tensor4D, signal?: AbortSignal): Promise<ModelScores> => {
    const batch = pre ? tf.tidy(() => pre(x)) : x;
    try {
      const [n, h, w, c] = batch.shape;
      const rows: Float32Array[] = [];
      for (let start = 0; start < n; start += Math.min(n, maxBatch)) {
        throwIfAborted(signal, 'predict');
        const count = Math.min(maxBatch, n - start);
        const slice = tf.slice(batch, [start, 0, 0, 0], [count, h, w, c]);
        const pixels = (await slice.data()) as Float32Array;
        slice.dispose();
        let scores: Float32Array;
        try {
          scores = await raceAbort(Promise.resolve(model.predict(pixels, [count, h, w, c])), signal, 'predict');
        } catch (cause) {
          if (cause instanceof AbortedError) throw cause;
          throw new ModelError(`the black-box model's predict() rejected: ${(cause as Error)?.message ?? cause}`, { cause });
        }
        const checked = checkBlackBoxScores(scores, count, model.numClasses);
        checkClassCount(model, checked.length / count);
        rows.push(checked);
      }
      const classes = rows[0]!.length / Math.min(n, maxBatch);
      const values = new Float32Array(n * classes);
      let offset = 0;
      for (const r of rows) {
        values.set(r, offset);
        offset += r.length;
      }
      return { values, classes };
    } finally {
      if (batch !== x) batch.dispose();
    }
  };
  return {
    kind: 'black-box',
    source: model,
    inputShape: undefined,
    differentiable: false,
    forward: undefined,
    async predict(x, signal) {
      const { values, classes } = await predictValues(x, signal);
      return tf.tensor2d(values, [values.length / classes, classes]);
    },
    predictValues,
  };
}

/**
 * A black box's scores for `count` images: a Float32Array of count x classes finite values.
 * @throws {ModelError} naming what the black box returned.
 */
export function checkBlackBoxScores(scores: unknown, count: number, numClasses: number | undefined): Float32Array {
  if (!(scores instanceof Float32Array)) {
    throw new ModelError(`the black-box model's predict() must resolve to a Float32Array, got ${Object.prototype.toString.call(scores)}`);
  }
  if (scores.length === 0 || scores.length % count !== 0 || (numClasses !== undefined && scores.length !== count * numClasses)) {
    throw new ModelError(
      `the black-box model's predict() returned ${scores.length} values for ${count} images; expected [${count}, ${numClasses ?? 'classes'}]`,
    );
  }
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i]!)) throw new ModelError(`the black-box model's predict() returned ${scores[i]} at index ${i}`);
  }
  return scores;
}
