// SPDX-License-Identifier: Apache-2.0
// Adebayo et al. 2018's sanity checks on the tiny CNN: gradients fail to survive randomisation, a
// map that ignores the model is caught, and the user's weights are never touched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { disposeWeights, tinyCnn, tinyCnnGraphModel, tinyCnnWeights, type TinyCnnWeights } from '@webxai/testing/models';
import { InvalidInputError, InvalidOptionError, ModelError, normalFill, ShapeMismatchError, UnsupportedModelError } from '@webxai/shaders';
import { explain } from '../../api/explain.js';
import type { ModelInput } from '../../model/types.js';
import { cascadingRandomisation } from './cascading-randomisation.js';
import { labelRandomisation } from './label-randomisation.js';
import { copyLayersModel, randomiseLayer, weightedLayersTopDown } from './copy.js';
import { countReadbacks } from '@webxai/testing';

const weightValues = async (model: tf.LayersModel) => Promise.all(model.getWeights().map(async (w) => Array.from(await w.data())));

describe('sanity checks', () => {
  let weights: TinyCnnWeights;
  let model: tf.LayersModel;
  let x: tf.Tensor4D;
  beforeAll(async () => {
    await tf.setBackend('webgpu');
    weights = tinyCnnWeights({ height: 12, width: 12, channels: 3, filters: 8, classes: 4, seed: 3 });
    model = tinyCnn('sequential', weights);
    x = tf.randomUniform<tf.Rank.R4>([2, 12, 12, 3], 0, 1, 'float32', 11);
  });
  afterAll(() => {
    model.dispose();
    disposeWeights(weights);
    x.dispose();
  });

  it('cascading randomisation: saliency decorrelates layer by layer; the user weights are unchanged; no leaks', async () => {
    const before = await weightValues(model);
    const tensors = tf.memory().numTensors;
    const { result: r, readbacks } = await countReadbacks(() =>
      cascadingRandomisation(model, x, { explain: { method: 'saliency' }, seed: 1 }),
    );
    // Saliency reads nothing per step either (was 1 per map: its scores' check). The copy's save reads
    // each of the 6 weights once here (all at once; tfjs keeps their values, so later copies read none).
    expect(readbacks).toBe(2 + model.weights.length);
    expect(r.steps.map((s) => s.layer)).toEqual(['logits', 'conv2', 'conv1']);
    const last = r.steps.at(-1)!;
    for (const s of last.spearman) expect(Math.abs(s)).toBeLessThan(0.5);
    for (const s of last.ssim) expect(s).toBeLessThan(0.9);
    expect(r.passed).toBe(true);
    expect(await weightValues(model)).toEqual(before);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('the copy keeps its saved weight values: the re-draws read nothing back and draw what a read-back re-draw draws', async () => {
    const first = await copyLayersModel(model);
    const second = await copyLayersModel(model);
    try {
      for (const weight of first.model.weights) {
        expect(Array.from(first.values.get(weight.originalName)!)).toEqual(Array.from(await weight.read().data()));
      }
      const fromSaved = weightedLayersTopDown(first.model);
      const { readbacks } = await countReadbacks(async () => {
        for (const [index, layer] of fromSaved.entries()) await randomiseLayer(layer, 7 + index, first.values);
      });
      expect(readbacks).toBe(0);
      for (const [index, layer] of weightedLayersTopDown(second.model).entries()) await randomiseLayer(layer, 7 + index);
      expect(await weightValues(first.model)).toEqual(await weightValues(second.model));
      expect(await weightValues(first.model)).not.toEqual(await weightValues(model));
      // Drawn on the device: normalFill's values (the CPU path's) within one f32 rounding.
      const kernel = fromSaved[0]!.trainableWeights[0]!;
      const saved = first.values.get(kernel.originalName)!;
      const mean = saved.reduce((a, v) => a + v, 0) / saved.length;
      const std = Math.sqrt(saved.reduce((a, v) => a + (v - mean) ** 2, 0) / saved.length);
      const expected = normalFill(7, 0, saved.length, mean, std);
      const drawn = await kernel.read().data();
      for (const [i, v] of drawn.entries())
        expect(Math.abs(v - expected[i]!)).toBeLessThanOrEqual(2 ** -23 * (Math.abs(mean) + Math.abs(v)));
    } finally {
      first.model.dispose();
      second.model.dispose();
    }
  });

  it('cascading randomisation catches a "method" that ignores the model (an edge map of the input)', async () => {
    const inputOnly = (_m: unknown, input: tf.Tensor4D) =>
      Promise.resolve(tf.tidy(() => tf.abs(tf.sub(input, tf.mean(input, [1, 2], true)))));
    const { result: r, readbacks } = await countReadbacks(() => cascadingRandomisation(model, x, { explain: inputOnly }));
    for (const step of r.steps) for (const s of step.spearman) expect(s).toBeCloseTo(1, 12);
    expect(r.passed).toBe(false);
    // The input's check with the prediction that resolves the target, and the original's and the 3
    // steps' maps together: no readback per step (a readback per step made it 6). The copy's save
    // reads nothing here: tfjs kept the host values the test's weights were made from.
    expect(readbacks).toBe(2);
  });

  it('cascading randomisation with IG by name: the maps of whole explain calls, in 2 readbacks instead of 2 per step', async () => {
    const ig = { method: 'integrated-gradients', steps: 8 } as const;
    const byExplain = async (m: ModelInput, input: tf.Tensor4D, target: number[]) => {
      const r = await explain(m, input, { ...ig, target });
      expect(r.delta).toHaveLength(2); // the whole call's result, whose delta the check does not keep
      return r.attribution;
    };
    const whole = await countReadbacks(() => cascadingRandomisation(model, x, { explain: byExplain, seed: 4 }));
    const tensors = tf.memory().numTensors;
    const named = await countReadbacks(() => cascadingRandomisation(model, x, { explain: ig, seed: 4 }));
    expect(tf.memory().numTensors).toBe(tensors);
    expect(named.result).toEqual(whole.result);
    expect(named.result.steps.map((s) => s.layer)).toEqual(['logits', 'conv2', 'conv1']);
    expect(named.readbacks).toBe(2);
    expect(whole.readbacks).toBe(2 + 4); // one per explain call (end points, sums and the input's check)
  });

  it.each([
    { method: 'integrated-gradients', steps: 8 },
    { method: 'smoothgrad', samples: 4, seed: 2 },
    { method: 'smoothgrad', samples: 2, seed: 2, inner: 'integrated-gradients', innerOptions: { steps: 4 } },
  ] as const)(
    'cascading randomisation ($method $inner): recorded while the classes are read (device rows for the prediction, or the given classes) = whole explain calls',
    async (spec) => {
      const byExplain = async (m: ModelInput, input: tf.Tensor4D, target: number[]) => {
        const r = await explain(m, input, { ...spec, target });
        return (r as unknown as { attribution: tf.Tensor }).attribution;
      };
      const twoClasses = await imagesOfTwoClasses();
      const whole = await cascadingRandomisation(model, twoClasses, { explain: byExplain, seed: 4 });
      const tensors = tf.memory().numTensors;
      const predicted = await countReadbacks(() => cascadingRandomisation(model, twoClasses, { explain: spec, seed: 4 }));
      const options = { explain: spec, seed: 4, target: whole.target };
      const given = await countReadbacks(() => cascadingRandomisation(model, twoClasses, options));
      expect(tf.memory().numTensors).toBe(tensors);
      twoClasses.dispose();
      expect(new Set(whole.target).size).toBe(2); // a row seeded with the other image's class shows
      expect(predicted.result).toEqual(whole);
      expect(given.result).toEqual(whole);
      expect([predicted.readbacks, given.readbacks]).toEqual([2, 2]);
    },
  );

  it.each(['integrated-gradients', 'saliency'] as const)(
    'cascading randomisation (%s, recorded before its classes are read): a NaN input and a class out of range keep their errors; no leaks',
    async (method) => {
      const withNaN = tf.fill<tf.Rank.R4>(x.shape, Number.NaN);
      const tensors = tf.memory().numTensors;
      await expect(cascadingRandomisation(model, withNaN, { explain: { method }, target: [9, 9] })).rejects.toThrow(InvalidInputError);
      await expect(cascadingRandomisation(model, x, { explain: { method }, target: [0, 9] })).rejects.toThrow(InvalidOptionError);
      await expect(cascadingRandomisation(model, x, { explain: { method }, target: [0, 9] })).rejects.toThrow(/9/);
      expect(tf.memory().numTensors).toBe(tensors);
      withNaN.dispose();
    },
  );

  /** Two of eight seeded random images that the model puts in different classes. */
  async function imagesOfTwoClasses(): Promise<tf.Tensor4D> {
    const candidates = tf.randomUniform<tf.Rank.R4>([8, 12, 12, 3], 0, 1, 'float32', 21);
    const argMax = tf.tidy(() => tf.argMax<tf.Tensor1D>(model.predict(candidates) as tf.Tensor2D, 1));
    const classes = await argMax.array();
    argMax.dispose();
    const other = classes.findIndex((c) => c !== classes[0]);
    expect(other).toBeGreaterThan(0);
    const pair = tf.gather(candidates, [0, other]);
    candidates.dispose();
    return pair;
  }

  it("cascading randomisation: NaN in a step's map -> ModelError naming the step; no leaks", async () => {
    const nanOnCopies = (m: ModelInput, input: tf.Tensor4D) =>
      Promise.resolve(m === model ? tf.abs(input) : tf.fill(input.shape, Number.NaN));
    const tensors = tf.memory().numTensors;
    const call = cascadingRandomisation(model, x, { explain: nanOnCopies });
    await expect(call).rejects.toThrow(ModelError);
    await expect(call).rejects.toThrow(/the copy re-drawn down to layer 'logits' has NaN or Inf values/);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  // log(dense(x)): finite for the given weights (every output > 0 on x and on IG's path from 0 to x),
  // NaN wherever a re-drawn kernel makes an output negative, while the gradient W[:, t] / dense(x)_t
  // stays finite. Its log layer counts the forward passes.
  class Log extends tf.layers.Layer {
    static readonly className = 'SanityTestLog';
    static calls = 0;
    override call(x: tf.Tensor | tf.Tensor[]): tf.Tensor {
      Log.calls++;
      return tf.log(Array.isArray(x) ? x[0]! : x);
    }
  }
  tf.serialization.registerClass(Log);
  const logModel = () => {
    const input = tf.input({ shape: [2, 2, 1] });
    const flat = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
    const kernel = tf.tensor2d([2, -1, 2, -1, 2, -1, -1, 2, -1, 2, -1, 2], [4, 3]);
    // The layer keeps the kernel tensor as its weight's value: disposed with the model.
    const dense = tf.layers.dense({ units: 3, useBias: false, weights: [kernel] });
    return { model: tf.model({ inputs: input, outputs: new Log().apply(dense.apply(flat)) as tf.SymbolicTensor }), kernel };
  };

  it.each([
    // Saliency hands its own pass's scores over: the model's forward passes are the target's, the
    // original map's and the copy's map's (one more made them 4 before).
    { method: 'saliency', forwards: 3 },
    // IG by name keeps only its path (16 points in one pass), so the copy's scores come from a
    // forward of the input: the target's, the original path's, the copy's path and its scores.
    { method: 'integrated-gradients', forwards: 4 },
  ] as const)(
    'cascading randomisation ($method): a re-drawn copy whose scores are NaN while its gradients are finite -> ModelError; no leaks',
    async ({ method, forwards }) => {
      const { model, kernel } = logModel();
      const ones = tf.ones<tf.Rank.R4>([1, 2, 2, 1]);
      const tensors = tf.memory().numTensors;
      Log.calls = 0;
      const call = cascadingRandomisation(model, ones, { explain: { method }, target: 0, seed: 3 });
      await expect(call).rejects.toThrow(ModelError);
      await expect(call).rejects.toThrow(/the scores of the copy re-drawn down to layer '.*' have NaN or Inf values/);
      expect(Log.calls).toBe(forwards);
      expect(tf.memory().numTensors).toBe(tensors);
      tf.dispose([ones, kernel]);
      model.dispose();
    },
  );

  it('label randomisation: a copy trained on permuted labels; the user model is unchanged', async () => {
    const before = await weightValues(model);
    const data = {
      x: tf.randomUniform<tf.Rank.R4>([16, 12, 12, 3], 0, 1, 'float32', 5),
      labels: Array.from({ length: 16 }, (_, i) => i % 4),
    };
    const options = { explain: { method: 'saliency' }, data, epochs: 3, batchSize: 8, seed: 2 } as const;
    const tensors = tf.memory().numTensors;
    const r = await labelRandomisation(model, x, options);
    expect(r.spearman).toHaveLength(2);
    expect(r.ssim).toHaveLength(2);
    for (const s of r.spearman) expect(Math.abs(s)).toBeLessThan(1);
    expect(r.trainAccuracy).toBeGreaterThanOrEqual(0);
    expect(await weightValues(model)).toEqual(before);
    expect(tf.memory().numTensors).toBe(tensors);
    data.x.dispose();
  });

  it('typed errors: a function model, a GraphModel, missing explain, unknown options, bad data', async () => {
    const f = (v: tf.Tensor4D) => tf.sum<tf.Tensor2D>(v, [1, 2]);
    await expect(cascadingRandomisation(f, x, { explain: { method: 'saliency' } })).rejects.toThrow(UnsupportedModelError);
    const graph = await tinyCnnGraphModel(weights);
    const tensors = tf.memory().numTensors;
    for (const check of [cascadingRandomisation, labelRandomisation] as const) {
      const call = check(graph, x, { explain: { method: 'saliency' }, data: { x, labels: [0, 1] } } as never);
      await expect(call).rejects.toThrow(UnsupportedModelError);
      await expect(call).rejects.toThrow(/tf\.GraphModel .*load the model as a tf\.LayersModel/);
    }
    expect(tf.memory().numTensors).toBe(tensors);
    graph.dispose();
    await expect(cascadingRandomisation(model, x, {} as never)).rejects.toThrow(InvalidOptionError);
    await expect(cascadingRandomisation(model, x, { explain: { method: 'saliency' }, layers: 2 } as never)).rejects.toThrow(
      /unknown option 'layers'/,
    );
    await expect(labelRandomisation(model, x, { explain: { method: 'saliency' }, data: { x, labels: [1] } })).rejects.toThrow(
      ShapeMismatchError,
    );
  });
});
