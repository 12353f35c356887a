// SPDX-License-Identifier: Apache-2.0
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { seededInts } from '@webxai/testing';
import { KTH_KEY_MAX, kthSmallestKey } from './kth-key.js';
import { GUIDED_IG_KEY_BITS } from './selection.js';

/** Integer keys in [0, KTH_KEY_MAX] with every fifth feature finished (+Inf). */
function keys(rows: number, rowLength: number, seed: number): Float32Array {
  return Float32Array.from(seededInts(rows * rowLength, seed, 0, KTH_KEY_MAX + 1), (v, i) => (i % 5 === 0 ? Number.POSITIVE_INFINITY : v));
}

describe('kthSmallestKey (the kth-key kernel as a tfjs kernel)', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it("covers guided-ig's keys", () => {
    expect(2 ** GUIDED_IG_KEY_BITS).toBeLessThanOrEqual(KTH_KEY_MAX);
  });

  it('gives the value topk gave, on webgpu and cpu, and leaves no tensor', async () => {
    const values = keys(3, 3072, 31);
    for (const rank of [1, 768, 2458, 2459, 3072]) {
      for (const backend of ['webgpu', 'cpu'] as const) {
        await tf.setBackend(backend);
        const k = tf.tensor2d(values, [3, 3072]);
        const before = tf.memory().numTensors;
        const got = kthSmallestKey(k, rank);
        const topk = tf.tidy(() => tf.neg(tf.min(tf.topk(tf.neg(k), rank, false).values, 1, true)));
        expect(got.shape).toEqual([3, 1]);
        expect(Array.from(await got.data()), `${backend} rank ${rank}`).toEqual(Array.from(await topk.data()));
        tf.dispose([got, topk]);
        expect(tf.memory().numTensors).toBe(before);
        k.dispose();
      }
    }
  });
});
