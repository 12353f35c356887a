// SPDX-License-Identifier: Apache-2.0
// A CAM whose weights need the classes on the host reads the pass's argmax with the deferred input
// check (Score-CAM then reads no check of its own before its forward passes); augSmooth takes each
// image's class from its unchanged copy in the augmented pass (on the GPU) and reads it with the
// result's peaks, the scores' finiteness and the input check. Same classes, same bits, same errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { disposeWeights, tinyCnn, tinyCnnWeights, type TinyCnnWeights } from '@webxai/testing/models';
import { InvalidInputError, InvalidOptionError, liveBufferCount, ModelError } from '@webxai/shaders';
import { countReadbacks } from '@webxai/testing';
import { disposeResult } from '../api/dispose-result.js';
import { explain } from '../api/explain.js';
import { flushTfjs, tfjsDevice, tfjsUsedBufferCount } from '../interop/tfjs-webgpu.js';

const memory = () => {
  flushTfjs();
  return { tensors: tf.memory().numTensors, tfjsBuffers: tfjsUsedBufferCount(), ours: liveBufferCount(tfjsDevice()) };
};

const bitsOf = async (r: { attribution: tf.Tensor }) => Array.from(new Uint32Array(((await r.attribution.data()) as Float32Array).buffer));

describe('CAM targets read with the input check (webgpu)', () => {
  let weights: TinyCnnWeights;
  let model: tf.LayersModel;
  let x: tf.Tensor4D;
  let argmax: number[];
  beforeAll(async () => {
    await tf.setBackend('webgpu');
    weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, filters: 6, classes: 4, seed: 95 });
    model = tinyCnn('sequential', weights);
    x = tf.randomUniform<tf.Rank.R4>([2, 8, 8, 3], 0, 1, 'float32', 96);
    argmax = Array.from(await tf.tidy(() => tf.argMax(model.predict(x) as tf.Tensor, 1)).data());
  });
  afterAll(() => {
    x.dispose();
    disposeWeights(weights);
  });

  // [options, readbacks for 'predicted', readbacks for the given classes]
  const cases = [
    // The argmax with the check, the map peaks (was 3: the argmax, Score-CAM's check, the peaks).
    [{ method: 'score-cam', batchSize: 4 }, 2, 2],
    // The argmax with the check (was 2: the argmax, the explainer's check).
    [{ method: 'grad-cam', relu: false }, 1, 1],
    // The result's peaks (was 3: classesForTarget's forward, each layer's peaks, the result's peaks).
    [{ method: 'grad-cam', augSmooth: true }, 1, 1],
    // Its maps need no classes: they ride with the peaks (was 2: the argmax with the check, the peaks).
    [{ method: 'eigen-cam' }, 1, 1],
    // The general path (conv1's tail is not GAP + Dense): the classes with its activation minima, the
    // peaks (was 3: the argmax with the check, the minima, the peaks).
    [{ method: 'ablation-cam', layer: 'conv1', batchSize: 3 }, 2, 2],
  ] as const;

  it.for(cases)('%o: readbacks %i (predicted), %i (given), the same classes and bits', async ([options, reads, givenReads]) => {
    const run = (target: number[] | 'predicted') => countReadbacks(() => explain(model, x, { ...options, target }));
    disposeResult((await run('predicted')).result); // warm-up: compiled pipelines, pooled buffers
    const predicted = await run('predicted');
    const given = await run(argmax);
    expect(predicted.result.target).toEqual(argmax);
    expect(await bitsOf(predicted.result)).toEqual(await bitsOf(given.result));
    expect([predicted.readbacks, given.readbacks]).toEqual([reads, givenReads]);
    [predicted.result, given.result].forEach(disposeResult);
  });

  it.for(cases)(
    '%o: NaN or Inf input -> InvalidInputError, a class out of range -> InvalidOptionError; nothing leaks',
    async ([options]) => {
      const bad = tf.tidy(() => tf.concat([x.slice([0], [1]), tf.fill([1, 8, 8, 3], Number.NaN)]));
      const inf = tf.tidy(() => tf.concat([x.slice([0], [1]), tf.fill([1, 8, 8, 3], Number.NEGATIVE_INFINITY)]));
      disposeResult(await explain(model, x, options as never)); // warm-up
      const before = memory();
      for (const target of [1, 'predicted'] as const) {
        for (const input of [bad, inf]) await expect(explain(model, input, { ...options, target })).rejects.toThrow(InvalidInputError);
      }
      await expect(explain(model, x, { ...options, target: [0, 4] })).rejects.toThrow(InvalidOptionError);
      await expect(explain(model, x, { ...options, target: 4 })).rejects.toThrow(/target class 4 is out of range: the model has 4 classes/);
      expect(memory()).toEqual(before);
      tf.dispose([bad, inf]);
    },
  );

  it('augSmooth: NaN scores -> ModelError (for a given class and the predicted one), the input named first; nothing leaks', async () => {
    // A CAM needs a LayersModel: a preprocess step makes its scores NaN for a finite input.
    const preprocess = (input: tf.Tensor4D) => tf.mul<tf.Tensor4D>(input, tf.scalar(Number.NaN));
    const bad = tf.tidy(() => tf.concat([x.slice([0], [1]), tf.fill([1, 8, 8, 3], Number.NaN)]));
    const before = memory();
    // A given class: the tiny CNN's GAP + Dense tail has its gradient in closed form, which computes
    // no scores (pooledDenseEvidence), so the layer's NaN activations are what the error names.
    const named = { 1: /activations or gradients at layer 'conv2' are NaN or Inf/, predicted: /returned NaN or Inf scores/ };
    for (const target of [1, 'predicted'] as const) {
      const options = { method: 'grad-cam', augSmooth: true, target, preprocess } as never;
      await expect(explain(model, x, options)).rejects.toThrow(ModelError);
      await expect(explain(model, x, options)).rejects.toThrow(named[target]);
      await expect(explain(model, bad, options)).rejects.toThrow(/input contains NaN or Inf/);
    }
    expect(memory()).toEqual(before);
    bad.dispose();
  });
});
