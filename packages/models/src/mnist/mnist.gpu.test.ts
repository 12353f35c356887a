// SPDX-License-Identifier: Apache-2.0
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { loadMnistCnn, mnistCnnAccuracy, mnistSamples } from './index.js';

const SIZE = 28;
const HELD_OUT_PER_CLASS = 100;

/** The training script's held-out split: the last 100 digits of each class in the `mnist` package's files. */
function heldOutDigits(): { pixels: number[]; labels: number[] } {
  const require = createRequire(import.meta.url);
  const pixels: number[] = [];
  const labels: number[] = [];
  for (let label = 0; label < 10; label++) {
    const raw = (JSON.parse(readFileSync(require.resolve(`mnist/src/digits/${label}.json`), 'utf8')) as { data: number[] }).data;
    const count = Math.floor(raw.length / (SIZE * SIZE));
    for (let i = count - HELD_OUT_PER_CLASS; i < count; i++) {
      pixels.push(...raw.slice(i * SIZE * SIZE, (i + 1) * SIZE * SIZE));
      labels.push(label);
    }
  }
  return { pixels, labels };
}

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
    // 20 of the held-out digits (the test below scores all 1,000).
    expect(correct).toBeGreaterThanOrEqual(18);
    tf.dispose([images, logits, argmax]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('scores its recorded held-out accuracy, at least 98%, on the 1,000 held-out digits', async () => {
    const before = tf.memory().numTensors;
    const model = await loadMnistCnn();
    const { pixels, labels } = heldOutDigits();
    const images = tf.tensor4d(pixels, [labels.length, SIZE, SIZE, 1]);
    const argmax = tf.tidy(() => tf.argMax(model.predict(images) as tf.Tensor2D, 1));
    const predicted = await argmax.data();
    const accuracy = labels.filter((label, i) => predicted[i] === label).length / labels.length;
    // The same split and backend as the training script; allow 2 digits for float rounding at a boundary.
    expect(Math.abs(accuracy - mnistCnnAccuracy)).toBeLessThanOrEqual(0.002);
    expect(accuracy).toBeGreaterThanOrEqual(0.98);
    tf.dispose([images, argmax]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
