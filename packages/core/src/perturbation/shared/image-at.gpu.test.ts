// SPDX-License-Identifier: Apache-2.0
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { seededF32 } from '@webxai/testing';
import { imageAt } from './evaluate.js';

describe('imageAt', () => {
  beforeAll(async () => {
    await tf.setBackend('webgpu');
  });

  it.for([1, 3])('gives image i of a batch of %i as its own tensor (the caller disposes it) and its host values', async (n) => {
    const [h, w, c] = [4, 5, 3];
    const values = seededF32(n * h * w * c, 13, -1, 1);
    const input = tf.tensor4d(values, [n, h, w, c]);
    const before = tf.memory();
    for (let i = 0; i < n; i++) {
      const own = values.subarray(i * h * w * c, (i + 1) * h * w * c);
      for (const hostValues of [values, undefined]) {
        const image = await imageAt(input, i, hostValues);
        expect(image.tensor.shape).toEqual([1, h, w, c]);
        expect(Array.from(await image.tensor.data())).toEqual(Array.from(own));
        expect(Array.from(image.values)).toEqual(Array.from(own));
        image.tensor.dispose();
      }
    }
    // Disposing the images left the batch alive, and nothing leaked.
    expect(input.isDisposed).toBe(false);
    expect(Array.from(await input.data())).toEqual(Array.from(values));
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
    input.dispose();
  });
});
