// SPDX-License-Identifier: Apache-2.0
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { loadMnistCnn, mnistCnnAccuracy, mnistSamples } from './index.js';

describe('the shipped MNIST CNN', () => {
  beforeAll(async () => {
    tf.enableProdMode();
    expect(await tf.setBackend('webgpu')).toBe(true);
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('loads from the embedded weights and classifies the held-out samples', async () => {
    const before = tf.memory().numTensors;
    const model = await loadMnistCnn();
    const { images, labels } = mnistSamples();
    expect(images.shape).toEqual([20, 28, 28, 1]);
    expect(labels).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
    const logits = model.predict(images) as tf.Tensor2D;
    expect(logits.shape).toEqual([20, 10]);
    const argmax = tf.argMax(logits, 1);
    const predicted = Array.from(await argmax.data());
    const correct = predicted.filter((p, i) => p === labels[i]).length;
    // The training script measured the held-out accuracy; 20 of those digits cannot all be far off it.
    expect(mnistCnnAccuracy).toBeGreaterThan(0.95);
    expect(correct).toBeGreaterThanOrEqual(16);
    tf.dispose([images, logits, argmax]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
