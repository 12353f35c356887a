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
import { AbortedError, InvalidInputError, InvalidOptionError, liveBufferCount, ModelError } from '@webxai/shaders';
import { countReadbacks } from '@webxai/testing';
import { createExplainer, explain } from '../../api/explain.js';
import { flushTfjs, tfjsDevice, tfjsUsedBufferCount } from '../../interop/tfjs-webgpu.js';
import { adaptModel } from '../../model/adapt.js';
import { guidedIgOf, type GuidedIgLoop } from './guided-ig.js';

const memory = () => {
  flushTfjs();
  return { tensors: tf.memory().numTensors, tfjsBuffers: tfjsUsedBufferCount(), ours: liveBufferCount(tfjsDevice()) };
};

describe('guided-ig', () => {
  let weights: TinyCnnWeights;
  beforeAll(async () => {
    await tf.setBackend('webgpu');
    weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, classes: 5, seed: 81 });
  });
  afterAll(() => disposeWeights(weights));

  it('on a linear model every feature travels from b to x: attribution = (x - b) * w', async () => {
    const { model, kernel } = linearModel({ height: 4, width: 4, channels: 2, classes: 3, seed: 10 });
    const x = tf.randomUniform([2, 4, 4, 2], -1, 1, 'float32', 25);
    const xs = Array.from(await x.data());
    const r = await explain(model, x, { method: 'guided-ig', steps: 20, baseline: 0.1, target: [2, 0] });
    const want = xs.map((v, i) => (v - 0.1) * kernel[(i % 32) * 3 + (i < 32 ? 2 : 0)]!);
    expect(Array.from(await r.attribution.data())).toBeAllClose(want, { abs: 1e-5, rel: 1e-4 });
    tf.dispose([x, r.attribution]);
  });

  it('with maxDist 0 follows the straight line: equals IG with a left Riemann sum', async () => {
    const model = tinyCnn('sequential', weights);
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 26);
    const guided = await explain(model, x, { method: 'guided-ig', steps: 16, maxDist: 0, target: 1 });
    const ig = await explain(model, x, { method: 'integrated-gradients', steps: 16, rule: 'riemann-left', target: 1 });
    expect(Array.from(await guided.attribution.data())).toBeAllClose(Array.from(await ig.attribution.data()), { abs: 1e-5, rel: 1e-3 });
    tf.dispose([x, guided.attribution, ig.attribution]);
  });

  it("the step kernel (f32 gamma on the GPU) follows PAIR's host loop (f64 gamma), on webgpu and cpu, and leaks nothing", async () => {
    const settings = { steps: 24, fraction: 0.25, maxDist: 0.02 };
    for (const backend of ['webgpu', 'cpu'] as const) {
      await tf.setBackend(backend); // tensors made here, so none has to move between backends
      const w = tinyCnnWeights({ height: 8, width: 8, channels: 3, classes: 5, seed: 83 });
      const model = adaptModel(tinyCnn('sequential', w));
      const x = tf.randomUniform<tf.Rank.R4>([2, 8, 8, 3], 0, 1, 'float32', 29);
      const baseline = tf.randomUniform<tf.Rank.R4>([2, 8, 8, 3], 0, 0.2, 'float32', 30);
      const run = async (loop: GuidedIgLoop) => {
        const attribution = await guidedIgOf(model, x, baseline, [1, 4], settings, { loop, signal: undefined, onProgress: undefined });
        return Array.from(await attribution.data().finally(() => attribution.dispose()));
      };
      const host = await run('host');
      const usage = () => (backend === 'webgpu' ? memory() : tf.memory().numTensors);
      const before = usage();
      const kernel = await run('kernel');
      expect(usage()).toEqual(before);
      // Both take the same selections; the sums and gamma round differently (f32 in a fixed order
      // vs f64 from f32 reductions) and the attribution is summed per step instead of per round
      // (measured: 7e-8 of the largest value on webgpu, 1.4e-7 on cpu).
      const scale = Math.max(...host.map(Math.abs));
      expect(kernel).toBeAllClose(host, { abs: 1e-5 * scale, rel: 0 });
      expect(scale).toBeGreaterThan(0);
      tf.dispose([x, baseline]);
      disposeWeights(w);
    }
    await tf.setBackend('webgpu');
  });

  it('reads nothing back per step on webgpu; the host loop read back once or more per step', async () => {
    const model = tinyCnn('sequential', weights);
    const x = tf.randomUniform<tf.Rank.R4>([1, 8, 8, 3], 0, 1, 'float32', 31);
    const kernelLoop = async (steps: number) => {
      const counted = await countReadbacks(() => explain(model, x, { method: 'guided-ig', steps, target: 1 }));
      counted.result.attribution.dispose();
      return counted.readbacks;
    };
    expect(await kernelLoop(16)).toBe(await kernelLoop(4)); // what explain reads besides the path (the scores)
    const settings = { steps: 4, fraction: 0.25, maxDist: 0.02 };
    const call = { loop: 'host', signal: undefined, onProgress: undefined } as const;
    const baseline = tf.zerosLike(x);
    const host = await countReadbacks(() => guidedIgOf(adaptModel(model), x, baseline, [1], settings, call));
    host.result.dispose();
    expect(host.readbacks).toBeGreaterThanOrEqual(settings.steps);
    tf.dispose([x, baseline]);
  });

  it("a given target costs no prediction: the first step's pass checks the class and the input; 'predicted' predicts", async () => {
    const model = tinyCnn('sequential', weights);
    const x = tf.randomUniform<tf.Rank.R4>([2, 8, 8, 3], 0, 1, 'float32', 33);
    const argmax = Array.from(await tf.tidy(() => tf.argMax(model.predict(x) as tf.Tensor, 1)).data());
    const run = (target: number[] | 'predicted') => countReadbacks(() => explain(model, x, { method: 'guided-ig', steps: 3, target }));
    const predicted = await run('predicted');
    const given = await run(argmax);
    expect(predicted.result.target).toEqual(argmax);
    expect(Array.from(await given.result.attribution.data())).toEqual(Array.from(await predicted.result.attribution.data()));
    // 'predicted': one forward whose argmax, finiteness and the input check come back in one readback
    // (classesForTarget; was 3); a given target: the first step's pass reads everything it checks in
    // its one readback (was 2: the check, a prediction).
    expect([given.readbacks, predicted.readbacks]).toEqual([1, 1]);
    tf.dispose([predicted.result.attribution, given.result.attribution]);
    const before = memory();
    const nanModel = (input: tf.Tensor4D) => tf.mul<tf.Tensor2D>(model.apply(input) as tf.Tensor2D, tf.scalar(Number.NaN));
    await expect(explain(nanModel, x, { method: 'guided-ig', steps: 3, target: 1 })).rejects.toThrow(ModelError);
    await expect(explain(model, x, { method: 'guided-ig', steps: 3, target: 5 })).rejects.toThrow(InvalidOptionError);
    await expect(explain(model, x, { method: 'guided-ig', steps: 3, target: 5 })).rejects.toThrow(
      /target class 5 is out of range: the model has 5 classes/,
    );
    const bad = tf.tidy(() => tf.concat([x.slice([0], [1]), tf.fill([1, 8, 8, 3], Number.POSITIVE_INFINITY)]));
    for (const target of [1, 'predicted'] as const) {
      await expect(explain(model, bad, { method: 'guided-ig', steps: 3, target })).rejects.toThrow(InvalidInputError);
    }
    // The first step's check is read while the path goes on, and awaited after the second step.
    const done: number[] = [];
    const onProgress = (p: { done: number }) => void done.push(p.done);
    await expect(explain(model, bad, { method: 'guided-ig', steps: 50, target: 1, onProgress })).rejects.toThrow(InvalidInputError);
    expect(done).toEqual([1]);
    bad.dispose();
    expect(memory()).toEqual(before);
    x.dispose();
  });

  it("'predicted' records its first two steps while the classes are read (device rows of the argmax): the given classes' bits", async () => {
    const x = cornerImages(); // image 0 predicts class 0 of quadrantModel, image 1 class 3
    const before = memory();
    const options = { method: 'guided-ig', steps: 4 } as const;
    const predicted = await explain(quadrantModel, x, options);
    expect(predicted.target).toEqual([0, 3]);
    const given = await explain(quadrantModel, x, { ...options, target: [0, 3] });
    expect(Array.from(await predicted.attribution.data())).toEqual(Array.from(await given.attribution.data()));
    tf.dispose([predicted.attribution, given.attribution]);
    // A bad input still stops after the second step, as with a given class.
    const bad = tf.fill<tf.Rank.R4>(x.shape, Number.NaN);
    const done: number[] = [];
    const onProgress = (p: { done: number }) => void done.push(p.done);
    await expect(explain(quadrantModel, bad, { method: 'guided-ig', steps: 50, onProgress })).rejects.toThrow(InvalidInputError);
    expect(done).toEqual([1]);
    bad.dispose();
    expect(memory()).toEqual(before);
    x.dispose();
  });

  it('is nearly complete on a CNN, agrees with the cpu backend, leaks nothing and aborts within a step', async () => {
    await tf.setBackend('cpu');
    const w = tinyCnnWeights({ height: 8, width: 8, channels: 3, classes: 5, seed: 82 });
    const model = tinyCnn('sequential', w);
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 27);
    // A random baseline: from a constant one the interior gradients tie exactly (translation
    // invariance), and f32 noise then breaks the ties differently on each backend.
    const baseline = tf.randomUniform([8, 8, 3], 0, 0.2, 'float32', 28);
    const options = { method: 'guided-ig', steps: 24, target: 3, baseline } as const;
    const cpu = await explain(model, x, options);
    const cpuValues = Array.from(await cpu.attribution.data());
    cpu.attribution.dispose();
    await tf.setBackend('webgpu');
    const ex = createExplainer(model, options);
    const gpu = await ex.explain(x);
    const gpuValues = Array.from(await gpu.attribution.data());
    // The selection is discontinuous in the gradient, so it compares quantised |gradient| keys with
    // an explicit tie rule (selection.ts) and both backends follow the same path: the maps agree to
    // f32 noise (measured 2.2e-7 of the largest value with the step kernel, 5e-7 with the host loop; was cosine 0.998 before the tie rule and the
    // order-independent quantile).
    const scale = Math.max(...cpuValues.map(Math.abs));
    expect(gpuValues).toBeAllClose(cpuValues, { abs: 1e-5 * scale, rel: 0 });
    // Completeness: sum(attribution) ~ f(x) - f(baseline) for the target.
    const scores = Array.from(await tf.tidy(() => model.predict(x) as tf.Tensor).data());
    const zero = Array.from(await tf.tidy(() => model.predict(tf.expandDims(baseline, 0)) as tf.Tensor).data());
    for (let i = 0; i < 2; i++) {
      const sum = gpuValues.slice(i * 192, (i + 1) * 192).reduce((s, v) => s + v, 0);
      const gap = scores[i * 5 + 3]! - zero[3]!;
      expect(Math.abs(sum - gap)).toBeLessThan(0.1 * Math.abs(gap) + 1e-3);
    }
    gpu.attribution.dispose();
    const before = memory();
    for (let i = 0; i < 5; i++) (await ex.explain(x)).attribution.dispose();
    expect(memory()).toEqual(before);
    const controller = new AbortController();
    const done: number[] = [];
    const error = await ex
      .explain(x, { signal: controller.signal, onProgress: (p) => (done.push(p.done), controller.abort()) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect(done).toEqual([1]);
    expect(memory()).toEqual(before);
    ex.dispose();
    await expect(explain(model, x, { method: 'guided-ig', fraction: 2 })).rejects.toThrow(/fraction must be a finite number in \[0, 1\]/);
    tf.dispose([x, baseline]);
    disposeWeights(w);
  });
});
