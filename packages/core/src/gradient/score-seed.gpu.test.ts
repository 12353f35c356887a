// SPDX-License-Identifier: Apache-2.0
// scoreSeed gives tf.grad of sum(scores * mask), bit for bit, with no forward ops; the masks match tf.oneHot.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { seededF32 } from '@webxai/testing';
import { inputGradient } from '../interop/input-gradients.js';
import { flushTfjs, tfjsUsedBufferCount } from '../interop/tfjs-webgpu.js';
import { dispatchedProgramKeys } from '../../test/kernel-wrapper-hooks.js';
import { chosenMask, classMask, scoreSeed } from './score-seed.js';

async function bits(t: tf.Tensor): Promise<Uint32Array> {
  const values = (await t.data()) as Float32Array;
  return new Uint32Array(values.buffer, values.byteOffset, values.length);
}

describe.each(['webgpu', 'cpu'] as const)('scoreSeed on %s', (backend) => {
  let before: { tensors: number; buffers: number };
  const usedBuffers = () => (backend === 'webgpu' ? (flushTfjs(), tfjsUsedBufferCount()) : 0);
  beforeEach(async () => {
    expect(await tf.setBackend(backend)).toBe(true);
    before = { tensors: tf.memory().numTensors, buffers: usedBuffers() };
  });
  afterEach(() => expect({ tensors: tf.memory().numTensors, buffers: usedBuffers() }).toEqual(before));
  afterAll(() => tf.setBackend('cpu'));

  // A small dense "model": scores = tanh(x W), so d scores / d x depends on the mask row by row.
  const w = () => tf.tensor2d(seededF32(6 * 4, 3, -1, 1), [6, 4]);
  const model = (weights: tf.Tensor2D) => (x: tf.Tensor2D) => tf.tanh(tf.matMul(x, weights)) as tf.Tensor2D;

  it('gives the gradient of sum(scores * mask) bit for bit, for a host mask and an argmax mask', async () => {
    const weights = w();
    const x = tf.tensor2d(seededF32(3 * 6, 4, -2, 2), [3, 6]);
    const f = model(weights);
    for (const make of [() => classMask([2, 0, 3], 4), () => chosenMask(tf.argMax(f(x), 1), 4)]) {
      const mask = tf.tidy(make);
      const seeded = inputGradient((input) => scoreSeed(f(input), mask), x);
      const plain = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(f(input as tf.Tensor2D), mask)))(x);
      expect(await bits(seeded)).toEqual(await bits(plain));
      expect(seeded.shape).toEqual([3, 6]);
      tf.dispose([mask, seeded, plain]);
    }
    tf.dispose([weights, x]);
  });

  it('masks like tf.oneHot: an out-of-range class gives a zero row; one class is every row', async () => {
    const indices = tf.tensor1d([1, 3, 0], 'int32');
    const want = tf.oneHot(indices, 3, 1, 0, 'float32');
    const host = classMask([1, 3, 0], 3);
    const chosen = chosenMask(indices, 3);
    expect(await host.array()).toEqual(await want.array());
    expect(await chosen.array()).toEqual(await want.array());
    const zeros = tf.tensor1d([0, 0], 'int32');
    const single = chosenMask(zeros, 1);
    expect(await single.array()).toEqual([[1], [1]]);
    tf.dispose([indices, want, host, chosen, zeros, single]);
  });
});

describe('scoreSeed on webgpu: dispatches', () => {
  afterAll(() => tf.setBackend('cpu'));

  it('records no op of its own: only the model and its backward run', async () => {
    await tf.setBackend('webgpu');
    const weights = tf.tensor2d(seededF32(6 * 4, 5, -1, 1), [6, 4]);
    const x = tf.tensor2d(seededF32(2 * 6, 6, -1, 1), [2, 6]);
    const mask = classMask([1, 2], 4);
    const seeded = await dispatchedProgramKeys(async () => {
      const g = inputGradient((input) => scoreSeed(tf.matMul<tf.Tensor2D>(input, weights), mask), x);
      await g.data();
      g.dispose();
    });
    const plain = await dispatchedProgramKeys(async () => {
      const g = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.matMul(input, weights), mask)))(x);
      await g.data();
      g.dispose();
    });
    // tfjs's own objective adds a Multiply and a Sum forward and Sum's broadcast and a Multiply backward.
    expect(plain.length - seeded.length).toBeGreaterThanOrEqual(3);
    tf.dispose([weights, x, mask]);
  });
});
