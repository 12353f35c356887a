// SPDX-License-Identifier: Apache-2.0
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  cornerImages,
  disposeWeights,
  linearModel,
  quadrantModel,
  tinyCnn,
  tinyCnnWeights,
  type TinyCnnWeights,
} from '@webxai/testing/models';
import { InvalidInputError, liveBufferCount, ShapeMismatchError, uniformRef } from '@webxai/shaders';
import { createExplainer, explain } from '../../api/explain.js';
import { flushTfjs, tfjsDevice, tfjsUsedBufferCount } from '../../interop/tfjs-webgpu.js';
import { expectedGradientsPlan } from './expected-gradients.js';

describe('expected gradients', () => {
  let weights: TinyCnnWeights;
  beforeAll(async () => {
    await tf.setBackend('webgpu');
    weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, classes: 5, seed: 61 });
  });
  afterAll(() => disposeWeights(weights));

  it('draws alphas and baseline rows from the seeded RNG', () => {
    const plan = expectedGradientsPlan(2, 3, 4, 9);
    const u = uniformRef(9, 0, 12);
    expect(Array.from(plan.alphas)).toEqual(Array.from(u.subarray(0, 6)));
    expect(Array.from(plan.baselineRows)).toEqual(Array.from(u.subarray(6), (v) => Math.floor(v * 4)));
    expect(Array.from(plan.weights)).toEqual(new Array(6).fill(1 / 3));
  });

  it('on a linear model equals the mean over samples of (x - b_s) * w', async () => {
    const { model, kernel } = linearModel({ height: 2, width: 2, channels: 2, classes: 3, seed: 6 });
    const x = tf.randomUniform([2, 2, 2, 2], -1, 1, 'float32', 18);
    const background = tf.randomUniform([5, 2, 2, 2], -1, 1, 'float32', 19);
    const [xs, bs] = [Array.from(await x.data()), Array.from(await background.data())];
    const r = await explain(model, x, {
      method: 'expected-gradients',
      baselines: background,
      samples: 9,
      seed: 2,
      target: [0, 1],
      batchSize: 4,
    });
    const want = xs.map((v, k) => {
      const i = Math.floor(k / 8);
      const rows = r.samples[i]!.baselineRows;
      return (rows.reduce((s, row) => s + (v - bs[row * 8 + (k % 8)]!), 0) / rows.length) * kernel[(k % 8) * 3 + i]!;
    });
    expect(Array.from(await r.attribution.data())).toBeAllClose(want, { abs: 1e-6, rel: 1e-5 });
    expect(new Set(r.samples.flatMap((s) => s.baselineRows)).size).toBeGreaterThan(1);
    tf.dispose([x, background, r.attribution]);
  });

  it('is seeded, agrees between webgpu and cpu, and leaks nothing', async () => {
    await tf.setBackend('cpu');
    const w = tinyCnnWeights({ height: 8, width: 8, channels: 3, classes: 5, seed: 62 });
    const model = tinyCnn('functional', w);
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 20);
    const background = tf.randomUniform([4, 8, 8, 3], 0, 1, 'float32', 21);
    const options = { method: 'expected-gradients', baselines: background, samples: 6, seed: 7 } as const;
    const cpu = await explain(model, x, options);
    const cpuValues = Array.from(await cpu.attribution.data());
    cpu.attribution.dispose();
    await tf.setBackend('webgpu');
    const eg = createExplainer(model, options);
    const first = await eg.explain(x);
    const gpuValues = Array.from(await first.attribution.data());
    expect(first.path).toBe('gpu');
    expect(gpuValues).toBeAllClose(cpuValues, { abs: 1e-5, rel: 1e-3 });
    first.attribution.dispose();
    flushTfjs();
    const before = { tensors: tf.memory().numTensors, tfjs: tfjsUsedBufferCount(), ours: liveBufferCount(tfjsDevice()) };
    for (let i = 0; i < 20; i++) {
      const r = await eg.explain(x);
      if (i === 0) expect(Array.from(await r.attribution.data())).toEqual(gpuValues);
      r.attribution.dispose();
    }
    flushTfjs();
    expect({ tensors: tf.memory().numTensors, tfjs: tfjsUsedBufferCount(), ours: liveBufferCount(tfjsDevice()) }).toEqual(before);
    eg.dispose();
    await expect(explain(model, x, { method: 'expected-gradients', baselines: tf.zeros([2, 8, 8, 1]) })).rejects.toThrow(
      ShapeMismatchError,
    );
    await expect(explain(model, x, { method: 'expected-gradients' } as never)).rejects.toThrow(/baselines must be a live tf.Tensor/);
    tf.dispose([x, background]);
    disposeWeights(w);
  });

  it("'predicted' seeds each image's path on the device while its classes are read: the given classes' bits; NaN baselines still rejected", async () => {
    const x = cornerImages(); // image 0 predicts class 0 of quadrantModel, image 1 class 3
    const baselines = tf.randomUniform<tf.Rank.R4>([3, 8, 8, 3], 0, 0.2, 'float32', 4);
    const options = { method: 'expected-gradients', baselines, samples: 5, batchSize: 4, seed: 3 } as const;
    const predicted = await explain(quadrantModel, x, options);
    expect(predicted.target).toEqual([0, 3]);
    flushTfjs();
    const before = { tensors: tf.memory().numTensors, tfjs: tfjsUsedBufferCount() };
    const given = await explain(quadrantModel, x, { ...options, target: [0, 3] });
    expect(Array.from(await predicted.attribution.data())).toEqual(Array.from(await given.attribution.data()));
    given.attribution.dispose();
    const nan = tf.tidy(() => baselines.add(tf.scalar(Number.NaN).mul(tf.oneHot([7], 8 * 8 * 3).reshape([1, 8, 8, 3]))));
    await expect(explain(quadrantModel, x, { ...options, baselines: nan })).rejects.toThrow(InvalidInputError);
    nan.dispose();
    flushTfjs();
    expect({ tensors: tf.memory().numTensors, tfjs: tfjsUsedBufferCount() }).toEqual(before);
    tf.dispose([x, baselines, predicted.attribution]);
  });
});
