// SPDX-License-Identifier: Apache-2.0
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { seededF32 } from '@webxai/testing';
import { inputGradient } from '../../interop/input-gradients.js';
import { flushTfjs, tfjsUsedBufferCount } from '../../interop/tfjs-webgpu.js';
import { spatialMean, sumAll } from './broadcast-gradient.js';

/** Value and gradient of sum(weights * reduce(x)) (new tensors). */
function valueAndGradient(reduce: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, weights: tf.Tensor): [tf.Tensor, tf.Tensor] {
  const value = tf.tidy(() => tf.sum(tf.mul(reduce(x), weights)));
  return [value, inputGradient((v) => tf.sum(tf.mul(reduce(v), weights)), x)];
}

describe('spatialMean and sumAll (gradients broadcast on the backend)', () => {
  beforeAll(async () => {
    await tf.setBackend('webgpu');
  });

  it("give tfjs's values and gradients exactly (webgpu), and leak nothing", async () => {
    const [tensors, buffers] = [tf.memory().numTensors, tfjsUsedBufferCount()];
    const x = tf.tensor(seededF32(2 * 5 * 6 * 3, 4, -1, 1), [2, 5, 6, 3]);
    const perChannel = tf.tensor(seededF32(6, 5, -2, 2), [2, 3]);
    const scalar = tf.scalar(1.5);
    const cases = [
      [spatialMean, (v: tf.Tensor) => tf.mean(v, [1, 2]), perChannel],
      [sumAll, (v: tf.Tensor) => tf.sum(v), scalar],
    ] as const;
    for (const [ours, tfjs, weights] of cases) {
      const [got, want] = [valueAndGradient(ours, x, weights), valueAndGradient(tfjs, x, weights)];
      expect(Array.from(await got[0].data())).toEqual(Array.from(await want[0].data()));
      expect(Array.from(await got[1].data())).toEqual(Array.from(await want[1].data()));
      tf.dispose([...got, ...want]);
    }
    tf.dispose([x, perChannel, scalar]);
    flushTfjs();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tfjsUsedBufferCount()).toBe(buffers);
  });

  it('spatialMean of a tensor not of rank 4 is tf.mean over [1, 2]', async () => {
    const x = tf.tensor(seededF32(24, 6, -1, 1), [2, 3, 4]);
    const [got, want] = [spatialMean(x), tf.mean(x, [1, 2])];
    expect(Array.from(await got.data())).toEqual(Array.from(await want.data()));
    tf.dispose([x, got, want]);
  });
});
