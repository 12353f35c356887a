// SPDX-License-Identifier: Apache-2.0
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { disposeWeights, segmentLinearModel, tinyCnn, tinyCnnWeights } from '@webxai/testing/models';
import { AbortedError, liveBufferCount } from '@webxai/shaders';
import { createExplainerFor } from '../../api/explainer.js';
import { tfjsDevice, tfjsUsedBufferCount } from '../../interop/tfjs-webgpu.js';
import { partitionShap } from './partition-shap.js';
import { partitionTree } from './partition-tree.js';

const [H, W, C, K] = [12, 16, 3, 3];
const blocks = Int32Array.from({ length: H * W }, (_, p) => Math.floor(Math.floor(p / W) / 4) * 4 + Math.floor((p % W) / 4));

describe('partition tree', () => {
  it('halves a pixel grid along its longer side, as shap', () => {
    // 2 x 4 pixels: split the 4 columns first (2 | 2), then rows.
    const cy = Float64Array.from({ length: 8 }, (_, p) => Math.floor(p / 4));
    const cx = Float64Array.from({ length: 8 }, (_, p) => p % 4);
    const t = partitionTree(cy, cx, 8);
    expect(t.nodes).toBe(15);
    const members = (node: number) => Array.from(t.order.subarray(t.start[node], t.end[node])).sort((a, b) => a - b);
    expect(members(t.left[0]!)).toEqual([0, 1, 4, 5]);
    expect(members(t.right[0]!)).toEqual([2, 3, 6, 7]);
  });
});

describe('partition-shap', () => {
  beforeAll(() => tf.setBackend('webgpu'));
  afterEach(() => tf.setBackend('webgpu'));

  it('gives the exact contributions of an additive model when fully expanded (GPU, CPU, black box)', async () => {
    const truth = segmentLinearModel({ height: H, width: W, channels: C, classes: K, labels: blocks, seed: 12 });
    const values = Float32Array.from({ length: H * W * C }, (_, i) => 0.1 + 0.8 * (((i * 7907) % 89) / 89));
    const means = Array.from({ length: 12 }, (_, s) => {
      let sum = 0;
      let n = 0;
      for (let p = 0; p < H * W; p++)
        if (blocks[p] === s)
          for (let c = 0; c < C; c++) {
            sum += values[p * C + c]!;
            n++;
          }
      return sum / n;
    });
    const want = means.map((m, s) => truth.coefficients[0 * 12 + s]! * m);
    const options = { method: 'partition-shap', maxEvals: 5000, fill: 'zero', segments: blocks, target: 0, batchSize: 16 } as const;
    const x = tf.tensor3d(values, [H, W, C]);
    for (const model of [truth.model, truth.box]) {
      const r = await createExplainerFor(partitionShap, model, options).explain(x);
      expect(r.shapValues[0]).toBeAllClose(want, { abs: 2e-5, rel: 1e-4 });
      expect(r.evaluations[0]).toBeLessThan(5000);
      tf.dispose([r.attribution, r.segments]);
    }
    await tf.setBackend('cpu');
    const cpuTruth = segmentLinearModel({ height: H, width: W, channels: C, classes: K, labels: blocks, seed: 12 });
    const xc = tf.tensor3d(values, [H, W, C]);
    const cpu = await createExplainerFor(partitionShap, cpuTruth.model, options).explain(xc);
    expect(cpu.shapValues[0]).toBeAllClose(want, { abs: 2e-5, rel: 1e-4 });
    tf.dispose([xc, cpu.attribution, cpu.segments]);
    cpuTruth.dispose();
    await tf.setBackend('webgpu');
    x.dispose();
    truth.dispose();
  });

  it('pixel features with a budget: values sum to f(x) - f(masked), ignored pixels get nothing when expanded', async () => {
    const weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, classes: 4, seed: 3 });
    const cnn = tinyCnn('sequential', weights);
    const x = tf.randomUniform([8, 8, 3], 0, 1, 'float32', 2);
    const budget = await createExplainerFor(partitionShap, cnn, { method: 'partition-shap', maxEvals: 40, target: 1 }).explain(x);
    expect(budget.evaluations[0]).toBeLessThanOrEqual(40);
    expect(budget.shapValues[0]!.reduce((a, b) => a + b, 0)).toBeCloseTo(budget.prediction[0]! - budget.baseValue[0]!, 5);
    // A model that reads only the top half: fully expanded, the bottom half's values are 0.
    const top = (t: tf.Tensor4D) => tf.sum<tf.Tensor2D>(tf.square(tf.slice(t, [0, 0, 0, 0], [-1, 4, 8, 3])), [1, 2]);
    const full = await createExplainerFor(partitionShap, top, {
      method: 'partition-shap',
      maxEvals: 100000,
      fill: 'zero',
      target: 0,
    }).explain(x);
    const v = full.shapValues[0]!;
    for (let p = 32; p < 64; p++) expect(v[p]).toBe(0);
    expect(v.slice(0, 32).every((a) => a > 0)).toBe(true);
    tf.dispose([x, budget.attribution, budget.segments, full.attribution, full.segments]);
    disposeWeights(weights);
  });

  it('reports progress, cancels within one batch and leaks nothing', async () => {
    const truth = segmentLinearModel({ height: H, width: W, channels: C, classes: K, labels: blocks, seed: 1 });
    const x = tf.randomUniform([H, W, C], 0, 1, 'float32', 3);
    const ex = createExplainerFor(partitionShap, truth.model, { method: 'partition-shap', maxEvals: 64, batchSize: 16 });
    const warm = await ex.explain(x);
    tf.dispose([warm.attribution, warm.segments]);
    const device = tfjsDevice();
    const before = [tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(device)];
    const done: number[] = [];
    const r = await ex.explain(x, { onProgress: (p) => done.push(p.done) });
    expect(done.length).toBeGreaterThan(1);
    expect(done.at(-1)).toBe(64);
    tf.dispose([r.attribution, r.segments]);
    const controller = new AbortController();
    await expect(ex.explain(x, { signal: controller.signal, onProgress: () => controller.abort() })).rejects.toThrow(AbortedError);
    expect([tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(device)]).toEqual(before);
    x.dispose();
    truth.dispose();
  });

  it('with a black box: host batches from the coalitions, the map made on the host, no GPU buffer, cpu path', async () => {
    const truth = segmentLinearModel({ height: H, width: W, channels: C, classes: K, labels: blocks, seed: 5 });
    const x = tf.randomUniform([H, W, C], 0, 1, 'float32', 4);
    const device = tfjsDevice();
    const before = liveBufferCount(device);
    const during: number[] = [];
    const box = {
      predict: (batch: Float32Array, shape: [number, number, number, number]) => {
        during.push(liveBufferCount(device));
        return truth.box.predict(batch, shape);
      },
    };
    const progress: number[] = [];
    const options = { method: 'partition-shap', maxEvals: 64, batchSize: 16, target: 1, segments: blocks, fill: 'mean' } as const;
    const r = await createExplainerFor(partitionShap, box, options).explain(x, { onProgress: (p) => progress.push(p.done) });
    expect(r.path).toBe('cpu');
    expect(progress.at(-1)).toBe(64);
    expect(new Set(during)).toEqual(new Set([before]));
    // The map is each block's value on its pixels.
    const map = await r.attribution.data();
    for (let p = 0; p < H * W; p++) expect(map[p]).toBe(r.shapValues[0]![blocks[p]!]);
    // The same explanation through the tfjs model (perturb-batch on the GPU from the mask rows): same values up to f32 noise.
    const gpu = await createExplainerFor(partitionShap, truth.model, options).explain(x);
    expect(gpu.path).toBe('gpu');
    expect(r.shapValues[0]).toBeAllClose(gpu.shapValues[0]!, { abs: 1e-5, rel: 1e-4 });
    tf.dispose([x, r.attribution, r.segments, gpu.attribution, gpu.segments]);
    expect(liveBufferCount(device)).toBe(before);
    truth.dispose();
  });
});
