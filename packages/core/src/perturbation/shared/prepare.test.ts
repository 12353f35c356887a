// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { PreparedQueue, type PreparedImage } from './prepare.js';

/** A prepare function that records which images were started and can fail for one of them. */
function fakePrepare(failAt = -1) {
  const started: number[] = [];
  const tensors: tf.Tensor4D[] = [];
  const prepare = async (i: number): Promise<PreparedImage> => {
    started.push(i);
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (i === failAt) throw new Error(`image ${i} failed`);
    const tensor = tf.fill<tf.Rank.R4>([1, 2, 2, 1], i);
    tensors.push(tensor);
    return { tensor, values: new Float32Array(4).fill(i), map: { labels: new Int32Array(4), count: 1 }, fill: new Float32Array(4) };
  };
  return { prepare, started, tensors };
}

describe('PreparedQueue', () => {
  it('prepares image 0 at once and image i + 1 when image i is taken, in order', async () => {
    await tf.setBackend('cpu');
    const { prepare, started, tensors } = fakePrepare();
    const queue = new PreparedQueue(prepare, 3);
    expect(started).toEqual([0]);
    for (let i = 0; i < 3; i++) {
      const image = await queue.take();
      expect(image.values[0]).toBe(i);
      expect(started).toEqual([0, 1, 2].slice(0, Math.min(i + 2, 3)));
      image.tensor.dispose();
    }
    await queue.dispose();
    expect(tensors.every((t) => t.isDisposed)).toBe(true);
  });

  it('dispose() releases the image prepared ahead; a failure ahead surfaces at take(), never unhandled', async () => {
    await tf.setBackend('cpu');
    const ahead = fakePrepare();
    const queue = new PreparedQueue(ahead.prepare, 2);
    (await queue.take()).tensor.dispose(); // image 1 is being prepared now
    const before = tf.memory().numTensors;
    await queue.dispose();
    expect(ahead.tensors.map((t) => t.isDisposed)).toEqual([true, true]);
    expect(tf.memory().numTensors).toBe(before); // image 1 was still being prepared at `before`

    const failing = fakePrepare(1);
    const broken = new PreparedQueue(failing.prepare, 2);
    (await broken.take()).tensor.dispose();
    await new Promise((resolve) => setTimeout(resolve, 20)); // image 1 has failed while image 0 was "explained"
    await expect(broken.take()).rejects.toThrow('image 1 failed');
    await broken.dispose();
    // A failure ahead that is never taken (the explanation failed first) is dropped by dispose().
    const dropped = new PreparedQueue(fakePrepare(0).prepare, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await dropped.dispose();
  });
});
