// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { seededF32 } from '@webxai/testing';
import { inputGradient, inputGradients } from './input-gradients.js';
import { skippedFilterGradients } from './unneeded-filter-gradients.js';
import { checkWebgpuLeaksPerTest } from '../../test/kernel-wrapper-hooks.js';

async function bits(t: tf.Tensor): Promise<Uint32Array> {
  const values = (await t.data()) as Float32Array;
  return new Uint32Array(values.buffer, values.byteOffset, values.length);
}

/** Two fused convolutions with constant filters: y = sum(conv(x, w1)^2) + sum(conv(x, w2)). */
function twoConvs(w1: tf.Tensor4D, w2: tf.Tensor4D): (x: tf.Tensor4D) => tf.Tensor {
  return (x) => {
    const y1 = tf.fused.conv2d({ x, filter: w1, strides: 1, pad: 'same' });
    const y2 = tf.fused.conv2d({ x, filter: w2, strides: 1, pad: 'valid' });
    return tf.add(tf.sum(tf.mul(y1, y1)), tf.sum(y2));
  };
}

/** A pass whose backward throws: an identity op whose gradient function fails. */
const failingBackward = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
  value: tf.clone(args[0] as tf.Tensor),
  gradFunc: () => {
    throw new Error('no gradient here');
  },
}));

describe.each(['webgpu', 'cpu'] as const)('inputGradient / inputGradients on %s', (backend) => {
  checkWebgpuLeaksPerTest(() => undefined);

  const filters = () => [tf.tensor4d(seededF32(18, 21, -1, 1), [3, 3, 2, 1]), tf.tensor4d(seededF32(8, 22, -1, 1), [2, 2, 2, 1])];

  it("gives tf.grad's gradient bit for bit and skips both filter gradients", async () => {
    await tf.setBackend(backend);
    const [w1, w2] = filters();
    const x = tf.tensor4d(seededF32(2 * 5 * 5 * 2, 23, -1, 1), [2, 5, 5, 2]);
    const f = twoConvs(w1!, w2!);
    const before = skippedFilterGradients();
    const ours = inputGradient(f, x);
    expect(skippedFilterGradients() - before).toBe(2);
    const plain = tf.grad((input: tf.Tensor) => f(input as tf.Tensor4D))(x);
    expect(ours.shape).toEqual(x.shape);
    expect(await bits(ours)).toEqual(await bits(plain));
    tf.dispose([w1, w2, x, ours, plain]);
  });

  it("inputGradients: tf.grads's gradients for every input, in order, from one pass", async () => {
    await tf.setBackend(backend);
    const [w1, w2] = filters();
    const a = tf.tensor4d(seededF32(50, 24, -1, 1), [1, 5, 5, 2]);
    const b = tf.tensor4d(seededF32(50, 25, -1, 1), [1, 5, 5, 2]);
    const f = (p: tf.Tensor4D, q: tf.Tensor4D) => twoConvs(w1!, w2!)(tf.mul(p, q));
    const before = skippedFilterGradients();
    const ours = inputGradients(f, [a, b]);
    expect(skippedFilterGradients() - before).toBe(2);
    const plain = tf.grads((p: tf.Tensor, q: tf.Tensor) => f(p as tf.Tensor4D, q as tf.Tensor4D))([a, b]);
    expect(ours).toHaveLength(2);
    expect(await bits(ours[0]!)).toEqual(await bits(plain[0]!));
    expect(await bits(ours[1]!)).toEqual(await bits(plain[1]!));
    expect(await bits(ours[0]!)).not.toEqual(await bits(ours[1]!));
    tf.dispose([w1, w2, a, b, ...ours, ...plain]);
  });

  // The leak hooks fail these two if the tape's saved tensors (the convs' inputs and filters) stay.
  it('a forward pass that throws: the same error, and the tape it recorded is freed', async () => {
    await tf.setBackend(backend);
    const [w1, w2] = filters();
    const x = tf.tensor4d(seededF32(50, 26, -1, 1), [1, 5, 5, 2]);
    const failure = new Error('the model failed');
    const pass = () =>
      inputGradient((input) => {
        twoConvs(w1!, w2!)(input);
        throw failure;
      }, x);
    expect(pass).toThrow(failure);
    tf.dispose([w1, w2, x]);
  });

  it('a backward pass that throws: the same error, and the tape is freed', async () => {
    await tf.setBackend(backend);
    const [w1, w2] = filters();
    const x = tf.tensor4d(seededF32(50, 27, -1, 1), [1, 5, 5, 2]);
    expect(() => inputGradient((input) => failingBackward(twoConvs(w1!, w2!)(input)), x)).toThrow('no gradient here');
    tf.dispose([w1, w2, x]);
  });
});
