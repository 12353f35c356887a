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
  tinyCnnGraphModel,
  tinyCnnWeights,
  type TinyCnnWeights,
} from '@webxai/testing/models';
import {
  AbortedError,
  InvalidInputError,
  InvalidOptionError,
  liveBufferCount,
  ShapeMismatchError,
  UnsupportedModelError,
} from '@webxai/shaders';
import { createExplainer, explain } from '../../api/explain.js';
import { flushTfjs, tfjsDevice, tfjsUsedBufferCount } from '../../interop/tfjs-webgpu.js';
import { INTEGRATION_RULES, integrationRule } from './rules.js';

// Submitting tfjs's pending work first releases buffers of tensors disposed while still queued.
const memory = () => {
  flushTfjs();
  return { tensors: tf.memory().numTensors, tfjsBuffers: tfjsUsedBufferCount(), ours: liveBufferCount(tfjsDevice()) };
};

describe('integrated gradients', () => {
  let weights: TinyCnnWeights;
  beforeAll(async () => {
    await tf.setBackend('webgpu');
    weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, classes: 5, seed: 31 });
  });
  afterAll(() => disposeWeights(weights));

  it.each(INTEGRATION_RULES)('equals (x - b) * w * sum(weights) on a linear model (%s)', async (rule) => {
    const { model, kernel } = linearModel({ height: 2, width: 3, channels: 2, classes: 4, seed: 12 });
    const x = tf.randomUniform([2, 2, 3, 2], -1, 1, 'float32', 7);
    const b = tf.randomUniform([2, 3, 2], -0.5, 0.5, 'float32', 8);
    const [xs, bs] = [Array.from(await x.data()), Array.from(await b.data())];
    // 7 steps in batches of 3: batches split images' paths.
    const r = await explain(model, x, { method: 'integrated-gradients', steps: 7, rule, baseline: b, target: [3, 0], batchSize: 3 });
    const sumWeights = integrationRule(rule, 7).weights.reduce((s, v) => s + v, 0);
    const want = xs.map((v, i) => (v - bs[i % 12]!) * kernel[(i % 12) * 4 + (i < 12 ? 3 : 0)]! * sumWeights);
    expect(Array.from(await r.attribution.data())).toBeAllClose(want, { abs: 1e-6, rel: 1e-5 });
    expect(r.target).toEqual([3, 0]);
    // Completeness holds exactly for a linear model when the weights sum to 1.
    for (const d of r.delta) expect(Math.abs(d)).toBeLessThan(rule === 'riemann-trapezoid' ? 1 : 1e-5);
    tf.dispose([x, b, r.attribution]);
  });

  it('converges: |delta| shrinks as steps grow, below 1e-2 relative at 256 steps on a small CNN', async () => {
    const model = tinyCnn('sequential', weights);
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 9);
    const scores = Array.from(await tf.tidy(() => model.predict(x) as tf.Tensor).data());
    const zero = Array.from(await tf.tidy(() => model.predict(tf.zeros([1, 8, 8, 3])) as tf.Tensor).data());
    // Per image, the class whose score moves most from the baseline (a meaningful relative delta).
    const gaps = [0, 1].map((i) => zero.map((z, k) => scores[i * 5 + k]! - z));
    const target = gaps.map((g) => g.reduce((best, v, k) => (Math.abs(v) > Math.abs(g[best]!) ? k : best), 0));
    const relative: number[] = [];
    for (const steps of [2, 8, 256]) {
      const r = await explain(model, x, { method: 'integrated-gradients', steps, target });
      relative.push(Math.max(...r.delta.map((d, i) => Math.abs(d / gaps[i]![target[i]!]!))));
      // delta is sum(attribution) - (f(x) - f(b)), checked here independently of the method.
      const sums = tf.sum(r.attribution, [1, 2, 3]);
      const values = Array.from(await sums.data());
      expect(r.delta).toBeAllClose(
        values.map((s, i) => s - gaps[i]![target[i]!]!),
        { abs: 1e-5, rel: 1e-4 },
      );
      tf.dispose([sums, r.attribution]);
    }
    expect(relative[1]).toBeLessThan(relative[0]!);
    expect(relative[2]).toBeLessThan(relative[1]!);
    expect(relative[2]).toBeLessThan(1e-2);
    x.dispose();
  });

  it('works for nested, functional, graph (saved and reloaded) and function models', async () => {
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 10);
    const sequential = tinyCnn('sequential', weights);
    const graph = await tinyCnnGraphModel(weights);
    let artifacts: tf.io.ModelArtifacts | undefined;
    await graph.save(
      tf.io.withSaveHandler((a) => {
        artifacts = a;
        return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } });
      }),
    );
    const reloaded = await tf.loadGraphModel(tf.io.fromMemory(artifacts!));
    const options = { method: 'integrated-gradients', steps: 16, target: 2 } as const;
    const reference = await explain(sequential, x, options);
    const want = Array.from(await reference.attribution.data());
    expect(want.some((v) => v !== 0)).toBe(true);
    for (const model of [tinyCnn('nested', weights), reloaded, (input: tf.Tensor4D) => sequential.apply(input) as tf.Tensor2D]) {
      const r = await explain(model, x, options);
      expect(Array.from(await r.attribution.data())).toBeAllClose(want, { abs: 1e-5, rel: 1e-4 });
      r.attribution.dispose();
    }
    // Teachable Machine exports are LayersModels with a softmax head: IG explains the probability.
    const softmax = await explain(tinyCnn('softmax', weights), x, { method: 'integrated-gradients', steps: 64 });
    expect(softmax.delta.every((d) => Math.abs(d) < 1e-2)).toBe(true);
    softmax.attribution.dispose();
    const functional = await explain(tinyCnn('functional', weights), x, options);
    expect(functional.delta.every((d) => Number.isFinite(d))).toBe(true);
    tf.dispose([x, reference.attribution, functional.attribution]);
  });

  it('one forward pass for f(x), f(baseline) and the target besides the path batches; one readback: scores, input check, sums and the argmax (predicted classes stay on the device for the path)', async () => {
    const network = tinyCnn('sequential', weights);
    const counted = countedModel(network); // checks that 2 x 8 x 8 x 3 inputs reach the GPU
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 17);
    const reference = await explain(network, x, { method: 'integrated-gradients', steps: 6, batchSize: 4, baseline: 0.5 });
    const scores = tf.tidy(() => network.predict(tf.concat([x, tf.fill([1, 8, 8, 3], 0.5)])) as tf.Tensor2D);
    const values = await scores.data();
    const sums = Array.from(await tf.tidy(() => tf.sum(reference.attribution, [1, 2, 3])).data());
    // delta = sum(attribution) - (f(x) - f(b)) for the target, from scores computed here independently.
    const want = reference.target.map((t, i) => sums[i]! - (values[i * 5 + t]! - values[10 + t]!));
    expect(reference.delta).toBeAllClose(want, { abs: 1e-5, rel: 1e-4 });
    // The device's one-hot seeds give the host classes' gradients bit for bit (a batch of 4 spans both images).
    const byClasses = await explain(network, x, {
      method: 'integrated-gradients',
      steps: 6,
      batchSize: 4,
      baseline: 0.5,
      target: reference.target,
    });
    expect(Array.from(await byClasses.attribution.data())).toEqual(Array.from(await reference.attribution.data()));
    expect(byClasses.delta).toEqual(reference.delta);
    byClasses.attribution.dispose();
    for (const target of ['predicted', [1, 3]] as const) {
      const readbacks = vi.spyOn(GPUBuffer.prototype, 'mapAsync');
      counted.reset();
      const r = await explain(counted.model, x, { method: 'integrated-gradients', steps: 6, batchSize: 4, baseline: 0.5, target });
      // 12 path points in batches of 4 = 3 gradient calls + 1 forward over [x; baselines] (was 2 forwards, 6-7 readbacks;
      // then 3-4 with the input check alone, then 2-3 with the argmax alone, then 1-2). No scores are
      // needed before the path: 'predicted' seeds it with the argmax's one-hot rows on the device, and
      // the end points' scores and the classes come back with the sums.
      const want = { target, calls: 4, readbacks: 1 };
      expect({ target, calls: counted.calls, readbacks: readbacks.mock.calls.length }).toEqual(want);
      readbacks.mockRestore();
      if (target === 'predicted') expect(Array.from(await r.attribution.data())).toEqual(Array.from(await reference.attribution.data()));
      else {
        const totals = Array.from(await tf.tidy(() => tf.sum(r.attribution, [1, 2, 3])).data());
        const byHand = target.map((t, i) => totals[i]! - (values[i * 5 + t]! - values[10 + t]!));
        expect(r.target).toEqual([1, 3]);
        expect(r.delta).toBeAllClose(byHand, { abs: 1e-5, rel: 1e-4 });
      }
      r.attribution.dispose();
    }
    tf.dispose([x, scores, reference.attribution]);
  });

  it("'predicted' seeds each image's path with its own argmax on the device: the given classes' bits, batches spanning images", async () => {
    const x = cornerImages(); // image 0 predicts class 0 of quadrantModel, image 1 class 3
    const options = { method: 'integrated-gradients', steps: 6, batchSize: 4 } as const;
    const predicted = await explain(quadrantModel, x, options);
    expect(predicted.target).toEqual([0, 3]);
    const given = await explain(quadrantModel, x, { ...options, target: [0, 3] });
    expect(Array.from(await predicted.attribution.data())).toEqual(Array.from(await given.attribution.data()));
    expect(predicted.delta).toEqual(given.delta);
    tf.dispose([x, predicted.attribution, given.attribution]);
  });

  it('agrees between the webgpu and cpu backends on a seeded CNN', async () => {
    await tf.setBackend('cpu');
    const w = tinyCnnWeights({ height: 8, width: 8, channels: 3, classes: 5, seed: 41 });
    const model = tinyCnn('functional', w);
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 11);
    const options = { method: 'integrated-gradients', steps: 12, rule: 'gauss-legendre', baseline: 0.25, batchSize: 5 } as const;
    const cpu = await explain(model, x, options);
    expect(cpu.path).toBe('cpu');
    const cpuValues = Array.from(await cpu.attribution.data());
    cpu.attribution.dispose();
    await tf.setBackend('webgpu');
    const gpu = await explain(model, x, options);
    expect(gpu.path).toBe('gpu');
    expect(gpu.target).toEqual(cpu.target);
    expect(Array.from(await gpu.attribution.data())).toBeAllClose(cpuValues, { abs: 1e-5, rel: 1e-3 });
    expect(gpu.delta).toBeAllClose(cpu.delta, { abs: 1e-4, rel: 1e-3 });
    tf.dispose([x, gpu.attribution]);
    disposeWeights(w);
  });

  it('leaks no tensor or buffer over 100 explanations', async () => {
    const model = tinyCnn('sequential', weights);
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 12);
    const ig = createExplainer(model, { method: 'integrated-gradients', steps: 6, batchSize: 4 });
    (await ig.explain(x)).attribution.dispose();
    const before = memory();
    for (let i = 0; i < 100; i++) (await ig.explain(x)).attribution.dispose();
    expect(memory()).toEqual(before);
    ig.dispose();
    x.dispose();
  });

  describe('bad input gets a typed error naming the problem', () => {
    const model = () => tinyCnn('sequential', weights);
    const run = (options: Record<string, unknown>, input?: tf.Tensor) =>
      explain(model(), input ?? tf.zeros([1, 8, 8, 3]), { method: 'integrated-gradients', ...options } as never);

    it('options', async () => {
      await expect(run({ steps: 2.5 })).rejects.toThrow(/steps must be an integer in \[1, 1048576\], got 2.5/);
      await expect(run({ steps: 1, rule: 'riemann-left' })).rejects.toThrow(/steps must be >= 2 for rule 'riemann-left'/);
      await expect(run({ rule: 'simpson' })).rejects.toThrow(InvalidOptionError);
      await expect(run({ baseline: 'ones' })).rejects.toThrow(/baseline must be 'zeros'/);
      await expect(run({ batchSize: 0 })).rejects.toThrow(/batchSize must be an integer >= 1/);
      await expect(run({ target: 9 })).rejects.toThrow(/target class 9 is out of range/);
      await expect(run({ baseline: tf.zeros([8, 8, 1]) })).rejects.toThrow(ShapeMismatchError);
      await expect(run({ baseline: tf.fill([8, 8, 3], Number.NaN) })).rejects.toThrow(InvalidInputError);
    });

    it('wrong rank or channels, NaN input, a model whose output is not [batch, classes]', async () => {
      await expect(run({}, tf.zeros([8, 8]))).rejects.toThrow(/rank 3 .* or 4/);
      await expect(run({}, tf.zeros([1, 8, 8, 4]))).rejects.toThrow(/channels is 4 but the model expects 3/);
      await expect(run({}, tf.fill([1, 8, 8, 3], Number.POSITIVE_INFINITY))).rejects.toThrow(InvalidInputError);
      // With a given target the input's check is read after the path, with the end points' scores.
      const [network, nan] = [model(), tf.fill([1, 8, 8, 3], Number.NaN)];
      const tensors = tf.memory().numTensors;
      await expect(explain(network, nan, { method: 'integrated-gradients', target: 1 })).rejects.toThrow(InvalidInputError);
      expect(tf.memory().numTensors).toBe(tensors);
      nan.dispose();
      network.dispose();
      const flat = (x: tf.Tensor4D) => tf.mean(x, [1, 2, 3]) as unknown as tf.Tensor2D;
      await expect(explain(flat, tf.zeros([1, 8, 8, 3]), { method: 'integrated-gradients' })).rejects.toThrow(UnsupportedModelError);
    });

    it('an aborted signal stops within one batch and leaks nothing', async () => {
      const x = tf.randomUniform([1, 8, 8, 3], 0, 1, 'float32', 13);
      const controller = new AbortController();
      const batches: number[] = [];
      const ig = createExplainer(model(), { method: 'integrated-gradients', steps: 40, batchSize: 4, signal: controller.signal });
      (await ig.explain(x)).attribution.dispose(); // warm-up: pipelines, pooled buffers
      const before = memory();
      const error = await ig.explain(x, { onProgress: (p) => (batches.push(p.done), controller.abort()) }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AbortedError);
      expect(batches).toEqual([4]);
      expect(memory()).toEqual(before);
      ig.dispose();
      x.dispose();
    });
  });
});
