// SPDX-License-Identifier: Apache-2.0
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  cornerImages,
  countedModel,
  disposeWeights,
  linearModel,
  quadrantModel,
  tinyCnn,
  tinyCnnWeights,
  type TinyCnnWeights,
} from '@webxai/testing/models';
import { AbortedError, InvalidInputError, InvalidOptionError, liveBufferCount, ModelError, normalRef } from '@webxai/shaders';
import { createExplainer, explain } from '../../api/explain.js';
import { flushTfjs, tfjsDevice, tfjsUsedBufferCount } from '../../interop/tfjs-webgpu.js';

// Submitting tfjs's pending work first releases buffers of tensors disposed while still queued.
const memory = () => {
  flushTfjs();
  return { tensors: tf.memory().numTensors, tfjsBuffers: tfjsUsedBufferCount(), ours: liveBufferCount(tfjsDevice()) };
};

describe('smoothgrad', () => {
  let weights: TinyCnnWeights;
  beforeAll(async () => {
    await tf.setBackend('webgpu');
    weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, classes: 5, seed: 51 });
  });
  afterAll(() => disposeWeights(weights));

  it('on a linear model: |w| (mean), w^2 (squared), 0 (variance), w * mean noisy x (gradient x input, IG)', async () => {
    const { model, kernel } = linearModel({ height: 2, width: 2, channels: 3, classes: 3, seed: 4 });
    const x = tf.randomUniform([2, 2, 2, 3], -1, 1, 'float32', 14);
    const xs = Float32Array.from(await x.data());
    const n = 12;
    const samples = 7;
    const w = Array.from({ length: 2 * n }, (_, i) => kernel[(i % n) * 3 + 2]!);
    const common = { target: 2, samples, seed: 5, batchSize: 3 } as const;
    const mean = await explain(model, x, { method: 'smoothgrad', ...common });
    const squared = await explain(model, x, { method: 'smoothgrad', variant: 'squared', ...common });
    const variance = await explain(model, x, { method: 'smoothgrad', variant: 'variance', ...common });
    expect(Array.from(await mean.attribution.data())).toBeAllClose(w.map(Math.abs), { abs: 1e-6, rel: 1e-5 });
    expect(Array.from(await squared.attribution.data())).toBeAllClose(
      w.map((v) => v * v),
      { abs: 1e-6, rel: 1e-5 },
    );
    expect(Array.from(await variance.attribution.data())).toBeAllClose(new Array(2 * n).fill(0), { abs: 1e-5, rel: 0 });
    // Noisy samples by hand from the RNG's reference: sample s of image i is point t = s * 2 + i.
    const noisyMean = Array.from({ length: 2 * n }, (_, k) => {
      const i = Math.floor(k / n);
      const image = xs.subarray(i * n, (i + 1) * n);
      const sigma = Math.fround(0.15) * Math.fround(Math.max(...image) - Math.min(...image));
      let sum = 0;
      for (let s = 0; s < samples; s++) sum += xs[k]! + sigma * normalRef(5, (s * 2 + i) * n + (k % n), 1)[0]!;
      return (sum / samples) * w[k]!;
    });
    const gxi = await explain(model, x, { method: 'smoothgrad', inner: 'gradient-x-input', ...common });
    expect(Array.from(await gxi.attribution.data())).toBeAllClose(noisyMean, { abs: 1e-5, rel: 1e-4 });
    const ig = await explain(model, x, { method: 'smoothgrad', inner: 'integrated-gradients', innerOptions: { steps: 4 }, ...common });
    expect(Array.from(await ig.attribution.data())).toBeAllClose(noisyMean, { abs: 1e-5, rel: 1e-4 });
    tf.dispose([x, mean.attribution, squared.attribution, variance.attribution, gxi.attribution, ig.attribution]);
  });

  it('is seeded: same seed, same result; another seed, another result; noiseLevel 0 is saliency', async () => {
    const model = tinyCnn('sequential', weights);
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 15);
    const run = async (options: Record<string, unknown>) => {
      const r = await explain(model, x, { method: 'smoothgrad', samples: 6, ...options } as never);
      const values = Array.from(await (r as { attribution: tf.Tensor }).attribution.data());
      (r as { attribution: tf.Tensor }).attribution.dispose();
      return values;
    };
    const a = await run({ seed: 1 });
    expect(await run({ seed: 1 })).toEqual(a);
    // Another batch split changes only the f32 summation grouping.
    expect(await run({ seed: 1, batchSize: 5 })).toBeAllClose(a, { abs: 1e-7, rel: 1e-5 });
    expect(await run({ seed: 2 })).not.toEqual(a);
    const plain = await explain(model, x, { method: 'saliency' });
    expect(await run({ noiseLevel: 0 })).toBeAllClose(Array.from(await plain.attribution.data()), { abs: 1e-6, rel: 1e-5 });
    tf.dispose([x, plain.attribution]);
  });

  it('agrees between the webgpu and cpu backends on a seeded CNN (VarGrad, SmoothGrad of IG)', async () => {
    await tf.setBackend('cpu');
    const w = tinyCnnWeights({ height: 8, width: 8, channels: 3, classes: 5, seed: 52 });
    const model = tinyCnn('functional', w);
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 16);
    const cases = [
      { method: 'smoothgrad', variant: 'variance', samples: 5, seed: 3 },
      { method: 'smoothgrad', inner: 'integrated-gradients', innerOptions: { steps: 5 }, samples: 3, seed: 4 },
    ] as const;
    const cpu: number[][] = [];
    for (const options of cases) {
      const r = await explain(model, x, options);
      expect(r.path).toBe('cpu');
      cpu.push(Array.from(await r.attribution.data()));
      r.attribution.dispose();
    }
    await tf.setBackend('webgpu');
    for (const [i, options] of cases.entries()) {
      const r = await explain(model, x, options);
      expect(r.path).toBe('gpu');
      expect(Array.from(await r.attribution.data())).toBeAllClose(cpu[i]!, { abs: 1e-5, rel: 1e-3 });
      r.attribution.dispose();
    }
    x.dispose();
    disposeWeights(w);
  });

  it('a given class needs no prediction of the clean input: one model call per batch, the first batch checks range and NaN', async () => {
    const network = tinyCnn('sequential', weights);
    const counted = countedModel(network); // checks that 2 x 8 x 8 x 3 inputs reach the GPU
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 23);
    const options = { method: 'smoothgrad', samples: 4, batchSize: 3, seed: 2 } as const; // 8 points: batches of 3, 3, 2
    const predicted = await explain(counted.model, x, options);
    const counts: Record<string, unknown>[] = [];
    for (const target of ['predicted', predicted.target, predicted.target[0]!] as const) {
      const readbacks = vi.spyOn(GPUBuffer.prototype, 'mapAsync');
      counted.reset();
      const r = await explain(counted.model, x, { ...options, target });
      counts.push({ calls: counted.calls, readbacks: readbacks.mock.calls.length });
      readbacks.mockRestore();
      if (target !== predicted.target[0])
        expect(Array.from(await r.attribution.data())).toEqual(Array.from(await predicted.attribution.data()));
      r.attribution.dispose();
    }
    // predicted: clean-input prediction + 3 batches; ONE readback: the prediction's argmax, its
    // scores' finiteness and the input check together.
    // given: 3 batches; ONE readback: the first batch's finiteness and the input check together.
    expect(counts).toEqual([
      { calls: 4, readbacks: 1 },
      { calls: 3, readbacks: 1 },
      { calls: 3, readbacks: 1 },
    ]);
    const before = memory();
    const nanModel = (input: tf.Tensor4D) => tf.mul<tf.Tensor2D>(network.apply(input) as tf.Tensor2D, tf.scalar(Number.NaN));
    for (const target of [1, 'predicted'] as const) {
      await expect(explain(nanModel, x, { ...options, target }), String(target)).rejects.toThrow(ModelError);
    }
    await expect(explain(counted.model, x, { ...options, target: [0, 5] })).rejects.toThrow(/target class 5 is out of range/);
    await expect(explain(counted.model, x, { ...options, inner: 'integrated-gradients', target: 7 })).rejects.toThrow(
      /target class 7 is out of range/,
    );
    // A NaN in the input is named as such (before the NaN scores it causes), whatever the target.
    const bad = tf.tidy(() => tf.concat([tf.fill([1, 8, 8, 3], Number.NaN), tf.slice(x, [1, 0, 0, 0], [1, 8, 8, 3])]));
    for (const targetOption of [{ target: 1 }, { target: 'predicted' as const }, {}]) {
      const named = JSON.stringify(targetOption);
      await expect(explain(counted.model, bad, { ...options, ...targetOption }), named).rejects.toThrow(InvalidInputError);
      const igInner = { ...options, ...targetOption, inner: 'integrated-gradients' as const };
      await expect(explain(counted.model, bad, igInner), named).rejects.toThrow(InvalidInputError);
    }
    bad.dispose();
    expect(memory()).toEqual(before);
    tf.dispose([x, predicted.attribution]);
  });

  it("'predicted' seeds each sample with its image's argmax on the device while the classes are read: the given classes' bits", async () => {
    const x = cornerImages(); // image 0 predicts class 0 of quadrantModel, image 1 class 3
    for (const options of [
      { method: 'smoothgrad', samples: 3, batchSize: 4, seed: 5 }, // 6 samples: a batch mixes both images
      { method: 'smoothgrad', samples: 2, seed: 5, inner: 'integrated-gradients', innerOptions: { steps: 3 } },
    ] as const) {
      const predicted = await explain(quadrantModel, x, options);
      expect(predicted.target).toEqual([0, 3]);
      const given = await explain(quadrantModel, x, { ...options, target: [0, 3] });
      expect(Array.from(await predicted.attribution.data())).toEqual(Array.from(await given.attribution.data()));
      tf.dispose([predicted.attribution, given.attribution]);
    }
    x.dispose();
  });

  it('leaks nothing over 100 explanations; abort stops within one batch; bad options are named', async () => {
    const model = tinyCnn('sequential', weights);
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 17);
    const sg = createExplainer(model, { method: 'smoothgrad', variant: 'variance', samples: 3, batchSize: 4 });
    (await sg.explain(x)).attribution.dispose();
    const before = memory();
    for (let i = 0; i < 100; i++) (await sg.explain(x)).attribution.dispose();
    expect(memory()).toEqual(before);
    const controller = new AbortController();
    const done: number[] = [];
    const error = await sg
      .explain(x, { signal: controller.signal, onProgress: (p) => (done.push(p.done), controller.abort()) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect(done).toEqual([4]);
    expect(memory()).toEqual(before);
    sg.dispose();
    const bad = (options: Record<string, unknown>) => explain(model, x, { method: 'smoothgrad', ...options } as never);
    await expect(bad({ samples: 0 })).rejects.toThrow(/samples must be an integer in \[1, 1048576\], got 0/);
    await expect(bad({ noiseLevel: -1 })).rejects.toThrow(/noiseLevel must be a finite number/);
    await expect(bad({ variant: 'median' })).rejects.toThrow(InvalidOptionError);
    await expect(bad({ inner: 'lime' })).rejects.toThrow(/inner must be one of 'saliency', 'gradient-x-input', 'integrated-gradients'/);
    await expect(bad({ inner: 'integrated-gradients', innerOptions: { steps: 1.5 } })).rejects.toThrow(/steps must be an integer/);
    await expect(bad({ seed: -3 })).rejects.toThrow(/seed must be an integer/);
    x.dispose();
  });
});
