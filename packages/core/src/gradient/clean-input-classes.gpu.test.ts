// SPDX-License-Identifier: Apache-2.0
// Blur IG and Expected Gradients take the clean input's classes from classesForTarget: one forward
// whose argmax, scores' finiteness, the deferred input check (and Expected Gradients' baselines check)
// come back in ONE readback, instead of the input check, predict's NaN check and the argmax each
// alone. Same classes, same bits, same errors, nothing leaked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { disposeWeights, tinyCnn, tinyCnnWeights, type TinyCnnWeights } from '@webxai/testing/models';
import { InvalidInputError, InvalidOptionError, liveBufferCount, ModelError } from '@webxai/shaders';
import { countReadbacks } from '@webxai/testing';
import { explain } from '../api/explain.js';
import { flushTfjs, tfjsDevice, tfjsUsedBufferCount } from '../interop/tfjs-webgpu.js';

const memory = () => {
  flushTfjs();
  return { tensors: tf.memory().numTensors, tfjsBuffers: tfjsUsedBufferCount(), ours: liveBufferCount(tfjsDevice()) };
};

describe('blur-ig and expected-gradients: the clean input classes in one readback (webgpu)', () => {
  let weights: TinyCnnWeights;
  let model: tf.LayersModel;
  let x: tf.Tensor4D;
  let background: tf.Tensor4D;
  let argmax: number[];
  beforeAll(async () => {
    await tf.setBackend('webgpu');
    weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, classes: 5, seed: 91 });
    model = tinyCnn('sequential', weights);
    x = tf.randomUniform<tf.Rank.R4>([2, 8, 8, 3], 0, 1, 'float32', 92);
    background = tf.randomUniform<tf.Rank.R4>([3, 8, 8, 3], 0, 1, 'float32', 93);
    argmax = Array.from(await tf.tidy(() => tf.argMax(model.predict(x) as tf.Tensor, 1)).data());
  });
  afterAll(() => {
    tf.dispose([x, background]);
    disposeWeights(weights);
  });

  const methods = () => [
    { method: 'blur-ig', steps: 6, maxSigma: 4, batchSize: 4 },
    { method: 'expected-gradients', baselines: background, samples: 3, seed: 5, batchSize: 4 },
  ];

  it.for(['blur-ig', 'expected-gradients'])(
    "%s: ONE readback for 'predicted' and a given class (was 3 / 2, expected gradients 4 / 3), same classes and bits",
    async (name) => {
      const options = methods().find((o) => o.method === name)!;
      const run = (target: number[] | 'predicted') => countReadbacks(() => explain(model, x, { ...options, target } as never));
      (await run('predicted')).result.attribution.dispose(); // warm-up: compiled pipelines, pooled buffers
      const predicted = await run('predicted');
      const given = await run(argmax);
      expect(predicted.result.target).toEqual(argmax);
      expect(Array.from(await given.result.attribution.data())).toEqual(Array.from(await predicted.result.attribution.data()));
      expect([predicted.readbacks, given.readbacks]).toEqual([1, 1]);
      tf.dispose([predicted.result.attribution, given.result.attribution]);
    },
  );

  it.for(['blur-ig', 'expected-gradients'])(
    '%s: NaN scores -> ModelError, a class out of range -> InvalidOptionError, NaN or Inf input -> InvalidInputError; nothing leaks',
    async (name) => {
      const options = methods().find((o) => o.method === name)!;
      const nanModel = (input: tf.Tensor4D) => tf.mul<tf.Tensor2D>(model.apply(input) as tf.Tensor2D, tf.scalar(Number.NaN));
      const bad = tf.tidy(() => tf.concat([x.slice([0], [1]), tf.fill([1, 8, 8, 3], Number.NaN)]));
      const inf = tf.tidy(() => tf.concat([x.slice([0], [1]), tf.fill([1, 8, 8, 3], Number.POSITIVE_INFINITY)]));
      (await explain(model, x, options as never)).attribution.dispose(); // warm-up
      const before = memory();
      for (const target of [1, 'predicted'] as const) {
        await expect(explain(nanModel, x, { ...options, target } as never)).rejects.toThrow(ModelError);
        await expect(explain(nanModel, x, { ...options, target } as never)).rejects.toThrow(/returned NaN or Inf scores/);
        for (const input of [bad, inf]) {
          await expect(explain(model, input, { ...options, target } as never)).rejects.toThrow(InvalidInputError);
          // The input is named first, also when the model's scores are NaN too.
          await expect(explain(nanModel, input, { ...options, target } as never)).rejects.toThrow(/input contains NaN or Inf/);
        }
      }
      await expect(explain(model, x, { ...options, target: 5 } as never)).rejects.toThrow(InvalidOptionError);
      await expect(explain(model, x, { ...options, target: [0, 5] } as never)).rejects.toThrow(
        /target class 5 is out of range: the model has 5 classes/,
      );
      expect(memory()).toEqual(before);
      tf.dispose([bad, inf]);
    },
  );

  it("expected-gradients: NaN or Inf baselines -> InvalidInputError naming them, after the input's check; nothing leaks", async () => {
    const options = methods()[1]!;
    const nanModel = (input: tf.Tensor4D) => tf.mul<tf.Tensor2D>(model.apply(input) as tf.Tensor2D, tf.scalar(Number.NaN));
    const bad = tf.tidy(() => tf.concat([x.slice([0], [1]), tf.fill([1, 8, 8, 3], Number.NaN)]));
    const before = memory();
    for (const value of [Number.NaN, Number.NEGATIVE_INFINITY]) {
      const baselines = tf.tidy(() => tf.concat([background.slice([0], [2]), tf.fill([1, 8, 8, 3], value)]));
      for (const target of [2, 'predicted'] as const) {
        const call = { ...options, baselines, target } as never;
        await expect(explain(model, x, call)).rejects.toThrow(/baselines contain NaN or Inf values/);
        // Before the model's NaN scores (the order of the separate reads), after the input's check.
        await expect(explain(nanModel, x, call)).rejects.toThrow(/baselines contain NaN or Inf values/);
        await expect(explain(model, bad, call)).rejects.toThrow(/input contains NaN or Inf values/);
      }
      baselines.dispose();
    }
    expect(memory()).toEqual(before);
    bad.dispose();
  });
});
