// SPDX-License-Identifier: Apache-2.0
// Device loss (issue 16, item 4): a DeviceLostError naming the reason, never a bare DOMException,
// and the next call works on a fresh device (with a model and input created after the loss).
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { DeviceLostError, InvalidInputError, UnsupportedModelError } from '@webxai/shaders';
import { disposeWeights, tinyCnn, tinyCnnWeights } from '@webxai/testing/models';
import { explain } from './explain.js';
import { tfjsDevice } from '../interop/tfjs-webgpu.js';

const spec = { height: 8, width: 8, channels: 3, classes: 3, seed: 5 } as const;

async function saliencyValues(): Promise<{ values: number[]; x: tf.Tensor; model: tf.LayersModel }> {
  const weights = tinyCnnWeights(spec);
  const model = tinyCnn('sequential', weights);
  const x = tf.randomUniform([8, 8, 3], 0, 1, 'float32', 6);
  const r = await explain(model, x, { method: 'saliency', target: 1 });
  const values = Array.from(await r.attribution.data());
  r.attribution.dispose();
  disposeWeights(weights);
  return { values, x, model };
}

describe('device loss', () => {
  it('before a call: DeviceLostError naming the reason, then a fresh device gives the same result', async () => {
    await tf.setBackend('webgpu');
    const first = await saliencyValues();
    const lost = tfjsDevice();
    lost.destroy();
    const error = await explain(first.model, first.x, { method: 'saliency', target: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeviceLostError);
    expect((error as DeviceLostError).reason).toMatch(/destroyed/);
    expect((error as Error).message).toMatch(/saliency: the GPUDevice was lost \(destroyed.*fresh device/);
    expect(tf.getBackend()).toBe('webgpu');
    expect(tfjsDevice()).not.toBe(lost);
    // Tensors and models from the lost device are named as such, not a TypeError.
    const freshWeights = tinyCnnWeights(spec);
    const freshModel = tinyCnn('sequential', freshWeights);
    await expect(explain(freshModel, first.x, { method: 'saliency' })).rejects.toThrow(InvalidInputError);
    const y = tf.randomUniform([8, 8, 3], 0, 1, 'float32', 6);
    await expect(explain(first.model, y, { method: 'saliency' })).rejects.toThrow(UnsupportedModelError);
    // Re-created model and input: works, and twice.
    for (let i = 0; i < 2; i++) {
      const r = await explain(freshModel, y, { method: 'saliency', target: 1 });
      expect(Array.from(await r.attribution.data())).toBeAllClose(first.values, { abs: 1e-6, rel: 1e-5 });
      r.attribution.dispose();
    }
    tf.dispose(y);
    disposeWeights(freshWeights);
  });

  for (const method of ['integrated-gradients', 'grad-cam', 'occlusion'] as const) {
    it(`mid-run (${method}): DeviceLostError, and the next call works`, async () => {
      await tf.setBackend('webgpu');
      const weights = tinyCnnWeights(spec);
      const model = tinyCnn('sequential', weights);
      const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 7);
      let destroyed = false;
      const onProgress = () => {
        if (!destroyed) {
          destroyed = true;
          tfjsDevice().destroy();
        }
      };
      const options = {
        'integrated-gradients': { method, steps: 64, batchSize: 4, onProgress },
        'grad-cam': { method, layer: ['conv1', 'conv2'], onProgress },
        occlusion: { method, window: 2, stride: 1, batchSize: 4, onProgress },
      }[method];
      const error = await explain(model, x, options as never).catch((e: unknown) => e);
      expect(destroyed).toBe(true);
      expect(error).toBeInstanceOf(DeviceLostError);
      expect((error as DeviceLostError).reason).toMatch(/destroyed/);
      const freshWeights = tinyCnnWeights(spec);
      const fresh = tinyCnn('sequential', freshWeights);
      const y = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 7);
      const r = await explain(fresh, y, { ...options, onProgress: () => {} });
      expect((r as { attribution: tf.Tensor }).attribution.shape[0]).toBe(2);
      tf.dispose([y, (r as { attribution: tf.Tensor }).attribution]);
      disposeWeights(freshWeights);
    });
  }
});
