// SPDX-License-Identifier: Apache-2.0
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { disposeWeights, tinyCnn, tinyCnnWeights, type TinyCnnWeights } from '@webxai/testing/models';
import { disposeResult } from '../api/dispose-result.js';
import { createExplainer } from '../api/explain.js';
import { globalMeanRunsAsAvgPool, MEAN_AS_AVG_POOL_FLAG } from '../interop/mean-as-avg-pool.js';
import { tfjsUsedBufferCount } from '../interop/tfjs-webgpu.js';
import { adaptModel } from '../model/adapt.js';
import { modelLayers } from '../model/split/list-layers.js';
import { gradientCamWeights, type GradientCamName } from './gradient-weights.js';
import { pooledDenseEvidence, pooledDenseTail } from './pooled-dense-tail.js';

const bits = async (t: tf.Tensor) => Array.from(new Uint32Array((await t.data<'float32'>()).slice().buffer));
const METHODS: readonly GradientCamName[] = ['grad-cam', 'grad-cam++', 'xgrad-cam', 'hires-cam', 'layer-cam'];

describe('gradient CAM weights from a per-channel gradient (a linear GAP + Dense tail)', () => {
  let weights: TinyCnnWeights;
  beforeAll(async () => {
    await tf.setBackend('webgpu');
    weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, filters: 6, classes: 4, seed: 47 });
  });
  afterAll(() => disposeWeights(weights));

  /** The closed-form evidence of the tiny CNN at conv2 for 2 images, targets 1 and 3. */
  function evidence() {
    const model = tinyCnn('sequential', weights);
    const layers = modelLayers(model);
    const split = layers.split(layers.usable.find((l) => l.name === 'conv2')!);
    const x = tf.randomUniform<tf.Rank.R4>([2, 8, 8, 3], 0, 1, 'float32', 12);
    const closed = pooledDenseEvidence(pooledDenseTail(adaptModel(model), split)!, split, x, [1, 3]);
    x.dispose();
    return closed;
  }

  it('gives every method the bits of its broadcast gradient, on webgpu and cpu, with Mean as AvgPool or not', async () => {
    const { activation, gradient, scores } = evidence();
    expect(scores).toBeUndefined();
    expect(gradient.shape).toEqual([2, 1, 1, 6]);
    const broadcast = tf.broadcastTo<tf.Rank.R4>(gradient, activation.shape);
    const before = tf.memory().numTensors;
    try {
      // Node's lavapipe is a software adapter: tfjs's global Mean runs as AvgPool, so Grad-CAM takes broadcast-mean.
      expect(globalMeanRunsAsAvgPool()).toBe(true);
      for (const [path, avgPool] of [
        ['gpu', true],
        ['gpu', false],
        ['cpu', true],
      ] as const) {
        tf.env().set(MEAN_AS_AVG_POOL_FLAG, avgPool);
        for (const method of METHODS) {
          const perChannel = await gradientCamWeights(method, activation, gradient, path);
          const full = await gradientCamWeights(method, activation, broadcast, path);
          const label = `${method} ${path} avgPool ${avgPool}`;
          expect(perChannel.weighting, label).toBe(full.weighting);
          expect(perChannel.weights.shape, label).toEqual(full.weights.shape);
          expect(await bits(perChannel.weights), label).toEqual(await bits(full.weights));
          expect(new Set(await perChannel.weights.data()).size, label).toBeGreaterThan(2);
          tf.dispose([perChannel.weights, full.weights]);
        }
      }
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      tf.env().set(MEAN_AS_AVG_POOL_FLAG, true);
      tf.dispose([activation, gradient, broadcast]);
    }
  });

  it('runs no Tile for Grad-CAM and Grad-CAM++ given a target, and no Mean for Grad-CAM; leaks nothing', async () => {
    const x = tf.randomUniform<tf.Rank.R4>([1, 8, 8, 3], 0, 1, 'float32', 13);
    for (const method of ['grad-cam', 'grad-cam++'] as const) {
      const explainer = createExplainer(tinyCnn('sequential', weights), { method, layer: 'conv2', target: 1 });
      disposeResult(await explainer.explain(x)); // warm-up
      const info = await tf.profile(async () => {
        disposeResult(await explainer.explain(x));
        return [];
      });
      expect(info.kernelNames, method).not.toContain('Tile');
      if (method === 'grad-cam') expect(info.kernelNames).not.toContain('Mean');
      const tensors = tf.memory().numTensors;
      const buffers = tfjsUsedBufferCount();
      disposeResult(await explainer.explain(x));
      expect(tf.memory().numTensors, method).toBe(tensors);
      expect(tfjsUsedBufferCount(), method).toBe(buffers);
      explainer.dispose();
    }
    x.dispose();
  });
});
