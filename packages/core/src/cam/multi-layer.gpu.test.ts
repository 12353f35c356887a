// SPDX-License-Identifier: Apache-2.0
// Several CAM layers (`layer: [...]`) from one forward (+ backward) pass: each layer's map equals
// its single-layer run, on both paths, with each layer of the model applied once, and no leaks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { disposeResult } from '../api/dispose-result.js';
import { disposeWeights, tinyCnn, tinyCnnWeights, type TinyCnnWeights } from '@webxai/testing/models';
import { createExplainer, explain } from '../api/explain.js';
import { tfjsUsedBufferCount } from '../interop/tfjs-webgpu.js';
import type { CamMethodName, CamResult } from './types.js';

const LAYERS = ['conv1', 'conv2', 'skip_add'];
const METHODS: CamMethodName[] = [
  'grad-cam',
  'grad-cam++',
  'xgrad-cam',
  'hires-cam',
  'layer-cam',
  'eigen-cam',
  'score-cam',
  'ablation-cam',
];

/** Counts the calls of a layer's apply (how many forward passes went through it). */
function countApplies(model: tf.LayersModel, name: string): { readonly count: () => number; restore(): void } {
  const layer = model.getLayer(name);
  const original = layer.apply.bind(layer);
  let calls = 0;
  layer.apply = (...args: Parameters<typeof layer.apply>) => {
    calls++;
    return original(...args);
  };
  return { count: () => calls, restore: () => void (layer.apply = original) };
}

describe('several CAM layers in one pass', () => {
  let weights: TinyCnnWeights;
  beforeAll(async () => {
    await tf.setBackend('webgpu');
    weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, filters: 6, classes: 4, seed: 41 });
  });
  afterAll(async () => {
    disposeWeights(weights);
    await tf.setBackend('webgpu');
  });

  for (const backend of ['webgpu', 'cpu'] as const) {
    it(`${backend}: each layer's map equals its single-layer run (1e-6), for every CAM method`, async () => {
      await tf.setBackend(backend);
      // The weights made on this backend (tfjs cannot read webgpu data synchronously from the cpu backend).
      const own = tinyCnnWeights({ height: 8, width: 8, channels: 3, filters: 6, classes: 4, seed: 41 });
      const model = tinyCnn('functional', own); // skip_add reads conv1 and conv2: a residual block
      const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 12);
      for (const method of METHODS) {
        const batched = method === 'score-cam' || method === 'ablation-cam' ? { batchSize: 4 } : {};
        for (const target of [undefined, [1, 2]] as const) {
          const many = (await explain(model, x, {
            method,
            layer: LAYERS,
            ...(target && { target: [...target] }),
            ...batched,
          } as never)) as CamResult;
          expect(many.layer).toEqual(LAYERS);
          const maps = many.map as tf.Tensor3D[];
          for (const [i, layer] of LAYERS.entries()) {
            const one = (await explain(model, x, {
              method,
              layer,
              ...(target && { target: [...target] }),
              ...batched,
            } as never)) as CamResult;
            const want = Array.from(await (one.map as tf.Tensor).data());
            expect(Array.from(await maps[i]!.data()), `${method} ${layer} target ${target}`).toBeAllClose(want, { abs: 1e-6, rel: 1e-6 });
            expect(one.target).toEqual(many.target);
            disposeResult(one);
          }
          // Not all layers alike (the comparison would pass for a method that ignored the layer).
          expect(Array.from(await maps[0]!.data())).not.toEqual(Array.from(await maps[2]!.data()));
          disposeResult(many);
        }
      }
      x.dispose();
      model.dispose();
      disposeWeights(own);
    });
  }

  it('runs the model once for all layers (gradient CAMs: one forward, one backward pass)', async () => {
    await tf.setBackend('webgpu');
    const model = tinyCnn('functional', weights);
    const x = tf.randomUniform([1, 8, 8, 3], 0, 1, 'float32', 13);
    const first = countApplies(model, 'conv1');
    const last = countApplies(model, 'skip_add');
    try {
      // (Score-CAM's masked batches run the whole model per batch by design; its layers' pass is shared too.)
      for (const method of ['grad-cam', 'layer-cam', 'eigen-cam'] as const) {
        const [before, beforeLast] = [first.count(), last.count()];
        disposeResult(await explain(model, x, { method, layer: LAYERS, target: 1 }));
        expect(first.count() - before, method).toBe(1);
        expect(last.count() - beforeLast, method).toBe(1);
      }
    } finally {
      first.restore();
      last.restore();
      x.dispose();
      model.dispose();
    }
  });

  it('leaks no tensors and no GPU buffers', async () => {
    await tf.setBackend('webgpu');
    const model = tinyCnn('functional', weights);
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 14);
    for (const method of ['grad-cam', 'layer-cam', 'eigen-cam', 'score-cam'] as const) {
      const explainer = createExplainer(model, { method, layer: LAYERS });
      disposeResult(await explainer.explain(x));
      const [tensors, buffers] = [tf.memory().numTensors, tfjsUsedBufferCount()];
      for (let i = 0; i < 2; i++) disposeResult(await explainer.explain(x, { target: [0, 3] }));
      expect(tf.memory().numTensors, method).toBe(tensors);
      expect(tfjsUsedBufferCount(), method).toBe(buffers);
      explainer.dispose();
    }
    x.dispose();
    model.dispose();
  });
});
