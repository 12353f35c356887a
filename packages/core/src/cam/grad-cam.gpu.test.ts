// SPDX-License-Identifier: Apache-2.0
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { disposeResult } from '../api/dispose-result.js';
import { seededF32 } from '@webxai/testing';
import {
  disposeWeights,
  identityFeatureModel,
  tinyCnn,
  tinyCnnGraphModel,
  tinyCnnWeights,
  type TinyCnnWeights,
} from '@webxai/testing/models';
import { UnknownLayerError } from '@webxai/shaders';
import { createExplainer, explain } from '../api/explain.js';
import { tfjsDevice, tfjsUsedBufferCount } from '../interop/tfjs-webgpu.js';

const values = async (t: tf.Tensor) => Array.from(await t.data());
const dispose = disposeResult; // attribution and map(s)

describe('gradient CAMs', () => {
  let weights: TinyCnnWeights;
  beforeAll(async () => {
    await tf.setBackend('webgpu');
    weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, filters: 6, classes: 4, seed: 31 });
  });
  afterAll(() => disposeWeights(weights));

  it.for(['grad-cam', 'grad-cam++'] as const)(
    "records its kernels into tfjs's stream and reads cam-map's peaks: one submit, one readback (%s, one small image)",
    async (method) => {
      const model = tinyCnn('sequential', weights);
      const x = tf.tensor4d(seededF32(8 * 8 * 3, 32, 0, 1), [1, 8, 8, 3]);
      const explainer = createExplainer(model, { method, target: 1 });
      dispose(await explainer.explain(x)); // compile
      const queue = tfjsDevice().queue;
      const submits = vi.spyOn(queue, 'submit');
      const reads = vi.spyOn(GPUBuffer.prototype, 'mapAsync');
      try {
        dispose(await explainer.explain(x));
        // The pass, the weights, cam-map and the readout go in tfjs's one batch, submitted by the
        // readback (was 3 for Grad-CAM: a flush before cam-map, cam-map's own submit, the readback's;
        // 5 for Grad-CAM++, whose weights kernel had the same two).
        expect(submits.mock.calls.length).toBe(1);
        expect(reads.mock.calls.length).toBe(1);
      } finally {
        submits.mockRestore();
        reads.mockRestore();
        explainer.dispose();
        x.dispose();
      }
    },
  );

  it('Grad-CAM on a hand-set activation gives the hand-computed map', async () => {
    const [h, w, k] = [3, 4, 2];
    const W = [
      [1, -2],
      [0.5, 3],
    ];
    const model = identityFeatureModel(h, w, W);
    const A = Array.from({ length: h * w * k }, (_, i) => ((i * 7) % 5) / 4); // >= 0: ReLU keeps it
    const x = tf.tensor4d(A, [1, h, w, k]);
    for (const target of [0, 1]) {
      const r = await explain(model, x, { method: 'grad-cam', layer: 'features', target });
      const want = Array.from({ length: h * w }, (_, p) =>
        Math.max(0, (W[0]![target]! * A[p * 2]! + W[1]![target]! * A[p * 2 + 1]!) / (h * w)),
      );
      expect(r.layer).toBe('features');
      expect(r.target).toEqual([target]);
      expect(await values(r.map as tf.Tensor)).toBeAllClose(want, { abs: 1e-6, rel: 1e-5 });
      // Same resolution: the attribution is the min-max normalised map.
      const lo = Math.min(...want);
      const hi = Math.max(...want);
      expect(r.attribution.shape).toEqual([1, h, w]);
      expect(await values(r.attribution)).toBeAllClose(
        want.map((v) => (v - lo) / (hi - lo)),
        { abs: 1e-5, rel: 1e-4 },
      );
      dispose(r);
    }
    x.dispose();
  });

  it('a constant activation gives a constant map, for every gradient CAM and Eigen-CAM', async () => {
    // A conv with SAME padding sees the border, so explain from a model whose activation is the input.
    const flat = identityFeatureModel(5, 5, [[1], [2], [-1]]);
    const constant = tf.fill([1, 5, 5, 3], 0.7);
    for (const method of ['grad-cam', 'grad-cam++', 'xgrad-cam', 'hires-cam', 'layer-cam', 'eigen-cam'] as const) {
      const r = await explain(flat, constant, { method, layer: 'features' });
      const map = await values(r.map as tf.Tensor);
      expect(new Set(map).size, method).toBe(1);
      expect(new Set(await values(r.attribution)), method).toEqual(new Set([0]));
      dispose(r);
    }
    constant.dispose();
  });

  it('HiResCAM equals Grad-CAM when the gradient is spatially uniform (global average pooling after the layer)', async () => {
    const model = tinyCnn('sequential', weights);
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 5);
    const grad = await explain(model, x, { method: 'grad-cam', layer: 'conv2' });
    const hires = await explain(model, x, { method: 'hires-cam', layer: 'conv2' });
    expect(await values(hires.map as tf.Tensor)).toBeAllClose(await values(grad.map as tf.Tensor), { abs: 1e-6, rel: 1e-4 });
    expect(await values(hires.attribution)).toBeAllClose(await values(grad.attribution), { abs: 1e-4, rel: 1e-4 });
    expect(Math.max(...(await values(grad.attribution)))).toBeGreaterThan(0.999);
    [grad, hires].forEach(dispose);
    x.dispose();
  });

  it('auto picks the same layer, with the same maps, on sequential, nested and GraphModel versions; skip_add on the functional one', async () => {
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 6);
    const models = [tinyCnn('sequential', weights), tinyCnn('nested', weights), await tinyCnnGraphModel(weights)];
    const results = [];
    for (const model of models) results.push(await explain(model, x, { method: 'grad-cam', layer: 'auto', target: 'predicted' }));
    expect(results.map((r) => r.layer)).toEqual(['conv2', 'backbone/conv2', 'conv2/Relu']);
    const first = await values(results[0]!.attribution);
    for (const r of results.slice(1)) expect(await values(r.attribution)).toBeAllClose(first, { abs: 1e-4, rel: 1e-3 });
    expect(results[0]!.attribution.shape).toEqual([2, 8, 8]);
    const functional = await explain(tinyCnn('functional', weights), x, { method: 'grad-cam' });
    expect(functional.layer).toBe('skip_add');
    [...results, functional].forEach(dispose);
    x.dispose();
  });

  it('several layers: maps per layer, attribution = normalised average', async () => {
    const model = tinyCnn('functional', weights);
    const x = tf.randomUniform([1, 8, 8, 3], 0, 1, 'float32', 8);
    const r = await explain(model, x, { method: 'layer-cam', layer: ['conv1', 'skip_add'] });
    expect(r.layer).toEqual(['conv1', 'skip_add']);
    expect((r.map as tf.Tensor[]).map((m) => m.shape)).toEqual([
      [1, 8, 8],
      [1, 8, 8],
    ]);
    const a = await values(r.attribution);
    expect(Math.min(...a)).toBeCloseTo(0, 6);
    expect(Math.max(...a)).toBeGreaterThan(0.999);
    dispose(r);
    x.dispose();
  });

  it('leaks no tensors and no GPU buffers over repeated calls, with augSmooth and eigenSmooth too', async () => {
    const model = tinyCnn('functional', weights);
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 9);
    for (const options of [{}, { augSmooth: true }, { eigenSmooth: true }] as const) {
      for (const method of ['grad-cam', 'grad-cam++', 'eigen-cam'] as const) {
        const explainer = createExplainer(model, { method, ...options });
        dispose(await explainer.explain(x));
        const tensors = tf.memory().numTensors;
        const buffers = tfjsUsedBufferCount();
        for (let i = 0; i < 3; i++) dispose(await explainer.explain(x, { target: [1, 2] }));
        expect(tf.memory().numTensors, `${method} ${JSON.stringify(options)}`).toBe(tensors);
        expect(tfjsUsedBufferCount()).toBe(buffers);
        explainer.dispose();
      }
    }
    x.dispose();
  });

  it('augSmooth changes nothing on a flip-equivariant, positively homogeneous model, and something on the tiny CNN', async () => {
    // 1x1 conv + ReLU + global pooling: flipping the input flips the map, scaling it scales the map.
    const model = identityFeatureModel(4, 6, [
      [1, 0],
      [-1, 1],
    ]);
    const x = tf.tensor4d(seededF32(4 * 6 * 2, 3, 0, 1), [1, 4, 6, 2]);
    const plain = await explain(model, x, { method: 'grad-cam', layer: 'features', target: 0 });
    const smooth = await explain(model, x, { method: 'grad-cam', layer: 'features', target: 0, augSmooth: true });
    expect(await values(smooth.attribution)).toBeAllClose(await values(plain.attribution), { abs: 1e-5, rel: 1e-4 });
    const cnn = tinyCnn('sequential', weights);
    const y = tf.randomUniform([1, 8, 8, 3], 0, 1, 'float32', 12);
    const a = await explain(cnn, y, { method: 'grad-cam', target: 1 });
    const b = await explain(cnn, y, { method: 'grad-cam', target: 1, augSmooth: true });
    const [va, vb] = [await values(a.attribution), await values(b.attribution)];
    expect(Math.max(...va.map((v, i) => Math.abs(v - vb[i]!)))).toBeGreaterThan(1e-3);
    [plain, smooth, a, b].forEach(dispose);
    tf.dispose([x, y]);
  });

  it('the webgpu and cpu paths agree', async () => {
    await tf.setBackend('cpu');
    const model = tinyCnn('functional', weights);
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 10);
    const cpu: number[][] = [];
    const methods = ['grad-cam', 'grad-cam++', 'xgrad-cam', 'hires-cam', 'layer-cam', 'eigen-cam'] as const;
    for (const method of methods) {
      const r = await explain(model, x, { method, layer: ['conv2', 'skip_add'], eigenSmooth: method === 'layer-cam' });
      expect(r.path).toBe('cpu');
      cpu.push(await values(r.attribution));
      dispose(r);
    }
    await tf.setBackend('webgpu');
    for (const [i, method] of methods.entries()) {
      const r = await explain(model, x, { method, layer: ['conv2', 'skip_add'], eigenSmooth: method === 'layer-cam' });
      expect(r.path).toBe('gpu');
      expect(await values(r.attribution), method).toBeAllClose(cpu[i]!, { abs: 2e-4, rel: 1e-3 });
      dispose(r);
    }
    x.dispose();
  });

  describe('bad layers get UnknownLayerError listing the candidates', () => {
    it('a name that does not exist, a layer without spatial dims', async () => {
      const model = tinyCnn('functional', weights);
      const x = tf.zeros([1, 8, 8, 3]);
      const missing = await explain(model, x, { method: 'grad-cam', layer: 'conv7' }).catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(UnknownLayerError);
      expect((missing as UnknownLayerError).candidates).toEqual(['conv1', 'conv2', 'skip_add']);
      expect(() => createExplainer(model, { method: 'grad-cam', layer: 'gap' })).toThrow(
        /'gap' .* not a 4-D .*Valid layers: conv1, conv2, skip_add/,
      );
      x.dispose();
    });

    it('a model that is not differentiable from the layer to its output', async () => {
      // A comparison (Greater has no gradient in tfjs) between the layer and the scores.
      class Gate extends tf.layers.Layer {
        static className = 'Gate';
        override call(inputs: tf.Tensor | tf.Tensor[]) {
          const t = Array.isArray(inputs) ? inputs[0]! : inputs;
          return tf.mul(t, tf.cast(tf.greater(t, 0.1), 'float32'));
        }
      }
      const model = tf.sequential({
        layers: [
          tf.layers.conv2d({ name: 'conv', inputShape: [6, 6, 1], filters: 2, kernelSize: 3, padding: 'same' }),
          new Gate({ name: 'gate' }),
          tf.layers.globalAveragePooling2d({}),
          tf.layers.dense({ units: 2 }),
        ],
      });
      const x = tf.randomUniform([1, 6, 6, 1], 0, 1, 'float32', 2);
      const error = await explain(model, x, { method: 'grad-cam', layer: 'conv' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnknownLayerError);
      expect((error as Error).message).toMatch(/not differentiable from layer 'conv' to its output.*Valid layers: conv, gate/);
      x.dispose();
    });
  });
});
