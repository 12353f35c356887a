// SPDX-License-Identifier: Apache-2.0
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { disposeResult } from '../api/dispose-result.js';
import {
  disposeWeights,
  identityFeatureModel,
  tinyCnn,
  tinyCnnGraphModel,
  tinyCnnWeights,
  type TinyCnnWeights,
} from '@webxai/testing/models';
import { AbortedError, InvalidOptionError, UnsupportedModelError } from '@webxai/shaders';
import { createExplainer, explain } from '../api/explain.js';
import { tfjsUsedBufferCount } from '../interop/tfjs-webgpu.js';
import { seededF32 } from '@webxai/testing';

const values = async (t: tf.Tensor) => Array.from(await t.data());
const dispose = disposeResult; // attribution and map(s)
const softmax = (v: number[]) => {
  const m = Math.max(...v);
  const e = v.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
};

describe('perturbation CAMs (Score-CAM, Ablation-CAM)', () => {
  let weights: TinyCnnWeights;
  const [h, w] = [3, 4];
  const W = [
    [1, -1],
    [2, 0.5],
    [-0.5, 1],
  ];
  // A[p, k] >= 0 with a zero minimum (so Ablation-CAM ablates to 0), distinct per channel.
  const A = Array.from({ length: h * w * 3 }, (_, i) => ((i * 5) % 7) / 3);
  const mean = (k: number) => Array.from({ length: h * w }, (_, p) => A[p * 3 + k]!).reduce((a, b) => a + b, 0) / (h * w);
  const score = (c: number, a: (p: number, k: number) => number) =>
    [0, 1, 2].reduce((s, k) => s + (W[k]![c]! * Array.from({ length: h * w }, (_, p) => a(p, k)).reduce((x, y) => x + y, 0)) / (h * w), 0);
  const mapOf = (weightsPerChannel: number[]) =>
    Array.from({ length: h * w }, (_, p) =>
      Math.max(
        0,
        [0, 1, 2].reduce((s, k) => s + weightsPerChannel[k]! * A[p * 3 + k]!, 0),
      ),
    );

  beforeAll(async () => {
    await tf.setBackend('webgpu');
    weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, filters: 6, classes: 4, seed: 41 });
  });
  afterAll(() => disposeWeights(weights));

  it('Ablation-CAM gives the hand-computed relative score drops', async () => {
    const model = identityFeatureModel(h, w, W);
    const x = tf.tensor4d(A, [1, h, w, 3]);
    const r = await explain(model, x, { method: 'ablation-cam', layer: 'features', target: 1, batchSize: 2 });
    const base = score(1, (p, k) => A[p * 3 + k]!);
    const drop = [0, 1, 2].map((k) => (W[k]![1]! * mean(k)) / base);
    expect(await values(r.map as tf.Tensor)).toBeAllClose(mapOf(drop), { abs: 1e-5, rel: 1e-4 });
    dispose(r);
    x.dispose();
  });

  it.for(['sequential', 'softmax'] as const)(
    "Ablation-CAM's predicted classes stay on the GPU until the peaks' readback (%s tail): one readback, same bits",
    async (variant) => {
      // Weights of its own: tfjs moves the shared ones to webgpu here and cannot move them back in Node.
      const own = tinyCnnWeights({ height: 8, width: 8, channels: 3, filters: 6, classes: 4, seed: 41 });
      const model = tinyCnn(variant, own);
      const x = tf.tensor4d([...seededF32(8 * 8 * 3, 43, 0, 1), ...seededF32(8 * 8 * 3, 44, -3, 0)], [2, 8, 8, 3]); // two unlike images
      const predicted = createExplainer(model, { method: 'ablation-cam' });
      const bitsOf = async (r: { attribution: tf.Tensor }) =>
        Array.from(new Uint32Array(((await r.attribution.data()) as Float32Array).buffer));
      dispose(await predicted.explain(x)); // compile
      const reads = vi.spyOn(GPUBuffer.prototype, 'mapAsync');
      let readbacks = 0;
      const byDefault = await predicted.explain(x).finally(() => {
        readbacks = reads.mock.calls.length;
        reads.mockRestore();
      });
      expect(readbacks).toBe(1); // the map peaks, with the classes and the input check (was 2: the classes first)
      const given = await explain(model, x, { method: 'ablation-cam', target: byDefault.target });
      expect(new Set(byDefault.target).size).toBe(2); // two different classes: the rows' indices matter
      expect(await bitsOf(byDefault)).toEqual(await bitsOf(given));
      [byDefault, given].forEach(dispose);
      predicted.dispose();
      x.dispose();
      disposeWeights(own);
    },
  );

  it('Score-CAM gives the hand-computed softmax of masked scores', async () => {
    const model = identityFeatureModel(h, w, W);
    const x = tf.tensor4d(A, [1, h, w, 3]);
    const r = await explain(model, x, { method: 'score-cam', layer: 'features', target: 0, batchSize: 2 });
    // Same resolution: the mask of channel j is its min-max normalised activation.
    const masks = [0, 1, 2].map((j) => {
      const ch = Array.from({ length: h * w }, (_, p) => A[p * 3 + j]!);
      const lo = Math.min(...ch);
      const hi = Math.max(...ch);
      return ch.map((v) => (v - lo) / (hi - lo + 1e-8));
    });
    const scores = masks.map((m) => score(0, (p, k) => A[p * 3 + k]! * m[p]!));
    expect(await values(r.map as tf.Tensor)).toBeAllClose(mapOf(softmax(scores)), { abs: 1e-5, rel: 1e-4 });
    dispose(r);
    x.dispose();
  });

  it('the webgpu and cpu paths agree, on LayersModels and GraphModels', async () => {
    await tf.setBackend('cpu');
    const layers = tinyCnn('functional', weights);
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 3);
    const cpu: number[][] = [];
    const runs = [
      ['score-cam', 'conv2'],
      ['ablation-cam', 'skip_add'],
      ['ablation-cam', 'conv2'], // the tail reads conv1's output (the skip) from the head, tiled per batch
    ] as const;
    for (const [method, layer] of runs) {
      const r = await explain(layers, x, { method, layer, batchSize: 4 });
      cpu.push(await values(r.attribution));
      dispose(r);
    }
    await tf.setBackend('webgpu');
    for (const [i, [method, layer]] of runs.entries()) {
      const r = await explain(layers, x, { method, layer, batchSize: 4 });
      expect(r.path).toBe('gpu');
      expect(await values(r.attribution), method).toBeAllClose(cpu[i]!, { abs: 2e-4, rel: 1e-3 });
      dispose(r);
    }
    const graph = await tinyCnnGraphModel(weights);
    const sequential = tinyCnn('sequential', weights);
    const g = await explain(graph, x, { method: 'score-cam', batchSize: 3 });
    const s = await explain(sequential, x, { method: 'score-cam', batchSize: 3 });
    expect(g.layer).toBe('conv2/Relu');
    expect(await values(g.attribution)).toBeAllClose(await values(s.attribution), { abs: 1e-4, rel: 1e-3 });
    [g, s].forEach(dispose);
    x.dispose();
  });

  it('reports progress per batch, stops within one batch on abort, and leaks nothing', async () => {
    const model = tinyCnn('sequential', weights);
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 4);
    // Ablation-CAM at conv1 runs its tail (conv2, pooling, dense) per batch; at the auto layer (conv2)
    // the tail is pooling + dense, whose shortcut reports an image's batches at a time.
    const runs = [
      ['score-cam', undefined, [1, 2, 3, 4]],
      ['ablation-cam', 'conv1', [1, 2, 3, 4]],
      ['ablation-cam', undefined, [2, 4]],
    ] as const;
    for (const [method, layer, done] of runs) {
      const explainer = createExplainer(model, { method, batchSize: 4, ...(layer && { layer }) });
      dispose(await explainer.explain(x));
      const tensors = tf.memory().numTensors;
      const buffers = tfjsUsedBufferCount();
      const progress: number[] = [];
      dispose(await explainer.explain(x, { onProgress: (p) => progress.push(p.done / p.total) }));
      expect(progress).toEqual(done.map((d) => d / 4)); // 2 images x ceil(6 / 4) batches
      expect(tf.memory().numTensors, `${method} after a full run`).toBe(tensors);
      const controller = new AbortController();
      const aborted = explainer.explain(x, { signal: controller.signal, onProgress: () => controller.abort() });
      await expect(aborted).rejects.toThrow(AbortedError);
      expect(tf.memory().numTensors, method).toBe(tensors);
      expect(tfjsUsedBufferCount()).toBe(buffers);
      explainer.dispose();
    }
    x.dispose();
  });

  it('rejects bad options and models without layers', () => {
    const model = tinyCnn('sequential', weights);
    expect(() => createExplainer(model, { method: 'score-cam', batchSize: 0 })).toThrow(InvalidOptionError);
    expect(() => createExplainer(model, { method: 'ablation-cam', eigenSmooth: 'yes' as never })).toThrow(/eigenSmooth must be a boolean/);
    const box = { predict: (b: Float32Array) => Promise.resolve(new Float32Array((b.length / 192) * 4)) };
    expect(() => createExplainer(box, { method: 'score-cam' })).toThrow(UnsupportedModelError);
    expect(() => createExplainer((t: tf.Tensor4D) => t as never, { method: 'grad-cam' })).toThrow(
      /need a tf.LayersModel or tf.GraphModel, not a function/,
    );
  });
});
