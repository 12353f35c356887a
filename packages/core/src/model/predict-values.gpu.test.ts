// SPDX-License-Identifier: Apache-2.0
// predictValues: predict's scores on the host in ONE readback (predict + data() costs two: the
// NaN/Inf flag, then the scores), with predict's errors and nothing left behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { countReadbacks } from '@webxai/testing';
import { disposeWeights, tinyCnn, tinyCnnWeights, type TinyCnnWeights } from '@webxai/testing/models';
import { liveBufferCount, ModelError, UnsupportedModelError } from '@webxai/shaders';
import { flushTfjs, tfjsDevice, tfjsUsedBufferCount } from '../interop/tfjs-webgpu.js';
import { adaptModel } from './adapt.js';
import type { BlackBoxModel } from './types.js';

const memory = () => (flushTfjs(), [tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(tfjsDevice())]);

describe('ModelAdapter.predictValues (webgpu)', () => {
  let weights: TinyCnnWeights;
  let network: tf.LayersModel;
  let x: tf.Tensor4D;
  beforeAll(async () => {
    await tf.setBackend('webgpu');
    weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, classes: 5, seed: 41 });
    network = tinyCnn('sequential', weights);
    x = tf.randomUniform<tf.Rank.R4>([3, 8, 8, 3], 0, 1, 'float32', 4);
  });
  afterAll(() => {
    x.dispose();
    disposeWeights(weights);
  });

  it("a tfjs model: predict's scores in one readback where predict + data() takes two", async () => {
    const scale = (input: tf.Tensor4D) => tf.mul<tf.Tensor4D>(input, 2);
    for (const model of [adaptModel(network), adaptModel((input) => network.apply(input) as tf.Tensor2D, { preprocess: scale })]) {
      const old = await countReadbacks(async () => {
        const y = await model.predict(x);
        return Array.from(await y.data().finally(() => y.dispose()));
      });
      const now = await countReadbacks(() => model.predictValues(x));
      expect(Array.from(now.result.values)).toEqual(old.result);
      expect(now.result.classes).toBe(5);
      expect([old.readbacks, now.readbacks]).toEqual([2, 1]);
    }
  });

  it('a black box: the same values as predict, split at maxBatch, through preprocess', async () => {
    const calls: number[] = [];
    const box: BlackBoxModel = {
      maxBatch: 2,
      // Scores: each image's first value and its index in the call.
      predict: (batch, [n, h, w, c]) => {
        calls.push(n);
        return Promise.resolve(Float32Array.from({ length: n * 2 }, (_, i) => (i % 2 === 0 ? batch[(i / 2) * h * w * c]! : i)));
      },
    };
    const model = adaptModel(box, { preprocess: (input) => tf.add<tf.Tensor4D>(input, 1) });
    const y = await model.predict(x);
    const want = Array.from(await y.data().finally(() => y.dispose()));
    calls.length = 0;
    const got = await model.predictValues(x);
    expect(calls).toEqual([2, 1]);
    expect({ values: Array.from(got.values), classes: got.classes }).toEqual({ values: want, classes: 2 });
    const firsts = Array.from(await tf.slice(x, [0, 0, 0, 0], [3, 1, 1, 1]).data()).map((v) => Math.fround(v + 1));
    expect(want.filter((_, i) => i % 2 === 0)).toEqual(firsts);
  });

  it("NaN or Inf scores, a wrong shape, a throw: predict's errors; nothing leaks", async () => {
    const times = (factor: number) => (input: tf.Tensor4D) => tf.mul<tf.Tensor2D>(network.apply(input) as tf.Tensor2D, factor);
    (await adaptModel(network).predictValues(x)).values.fill(0); // warm-up: pooled buffers
    const before = memory();
    for (const factor of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const model = adaptModel(times(factor));
      await expect(model.predict(x)).rejects.toThrow(/the function model returned NaN or Inf scores/);
      await expect(model.predictValues(x)).rejects.toThrow(ModelError);
      await expect(model.predictValues(x)).rejects.toThrow(/the function model returned NaN or Inf scores/);
    }
    // One NaN among finite scores.
    const nanAt7 = Float32Array.from({ length: 15 }, (_, i) => (i === 7 ? Number.NaN : 0));
    const oneNan = (input: tf.Tensor4D): tf.Tensor2D => tf.add(network.apply(input) as tf.Tensor2D, tf.tensor2d(nanAt7, [3, 5]));
    await expect(adaptModel(oneNan).predictValues(x)).rejects.toThrow(/returned NaN or Inf scores/);
    const flat = (input: tf.Tensor4D) => tf.mean(input, [1, 2, 3]) as unknown as tf.Tensor2D;
    await expect(adaptModel(flat).predictValues(x)).rejects.toThrow(UnsupportedModelError);
    const throwing = () => {
      throw new Error('bad layer');
    };
    await expect(adaptModel(throwing).predictValues(x)).rejects.toThrow(
      /the function model threw on an input of shape \[3,8,8,3\]: bad layer/,
    );
    const nanBox = { predict: (_: Float32Array, s: number[]) => Promise.resolve(new Float32Array(s[0]! * 2).fill(Number.NaN)) };
    await expect(adaptModel(nanBox).predictValues(x)).rejects.toThrow(/returned NaN at index 0/);
    expect(memory()).toEqual(before);
  });
});
