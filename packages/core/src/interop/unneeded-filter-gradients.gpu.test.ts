// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { seededF32 } from '@webxai/testing';
import { targetScoreSum } from '../api/targets.js';
import { targetGradients } from '../gradient/target-gradients.js';
import {
  skippedConvBiasGradients,
  skippedDenseGradients,
  skippedFilterGradients,
  skipUnneededFilterGradients,
} from './unneeded-filter-gradients.js';
import { checkWebgpuLeaksPerTest } from '../../test/kernel-wrapper-hooks.js';

/** MobileNet-like: two convs with linear activations (fused under tf.grad), batch norm and ReLU6 layers between. */
function mobilenetLike(): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [8, 8, 3],
        filters: 4,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
        kernelInitializer: tf.initializers.randomNormal({ seed: 1 }),
      }),
      tf.layers.batchNormalization({ betaInitializer: tf.initializers.randomNormal({ seed: 2 }) }),
      tf.layers.reLU({ maxValue: 6 }),
      tf.layers.conv2d({
        filters: 5,
        kernelSize: 1,
        kernelInitializer: tf.initializers.randomNormal({ seed: 3 }),
        biasInitializer: tf.initializers.randomNormal({ seed: 4 }),
      }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.randomNormal({ seed: 5 }) }),
    ],
  });
  return model;
}

const images = () => tf.tensor4d(seededF32(2 * 8 * 8 * 3, 11, 0, 1), [2, 8, 8, 3]);

/** tfjs's own gradient of the same target scores (no skipping). */
function plainGradient(model: tf.LayersModel, x: tf.Tensor4D, targets: number[]): tf.Tensor {
  return tf.grad((input: tf.Tensor) => targetScoreSum(model.apply(input) as tf.Tensor2D, targets))(x);
}

async function maxAbs(t: tf.Tensor): Promise<number> {
  const m = tf.tidy(() => tf.max(tf.abs(t)));
  const value = (await m.data())[0]!;
  m.dispose();
  return value;
}

async function bits(t: tf.Tensor): Promise<Uint32Array> {
  const values = (await t.data()) as Float32Array;
  return new Uint32Array(values.buffer, values.byteOffset, values.length);
}

describe.each(['webgpu', 'cpu'] as const)('skipping unneeded filter gradients on %s', (backend) => {
  checkWebgpuLeaksPerTest(() => undefined);

  it("gives tfjs's own input gradient, bit for bit, and skips the two fused convs' filter gradients and the second's bias gradient", async () => {
    await tf.setBackend(backend);
    const model = mobilenetLike();
    const x = images();
    const adapter = { kind: 'layers' as const, forward: (t: tf.Tensor4D) => model.apply(t) as tf.Tensor2D };
    const before = skippedFilterGradients();
    const beforeDense = skippedDenseGradients();
    const beforeBias = skippedConvBiasGradients();
    const skipped = targetGradients(adapter, x, [0, 2]);
    const skips = skippedFilterGradients() - before;
    const denseSkips = skippedDenseGradients() - beforeDense;
    const biasSkips = skippedConvBiasGradients() - beforeBias;
    const plain = plainGradient(model, x, [0, 2]);
    expect(skippedFilterGradients() - before).toBe(skips); // tfjs's own pass skips nothing
    expect(skippedDenseGradients() - beforeDense).toBe(denseSkips);
    expect(skippedConvBiasGradients() - beforeBias).toBe(biasSkips);
    expect(skips).toBe(2);
    expect(denseSkips).toBe(2); // the Dense layer's weight and bias gradients
    expect(biasSkips).toBe(1); // the first conv has no bias
    expect(await bits(skipped)).toEqual(await bits(plain));
    expect(await maxAbs(skipped)).toBeGreaterThan(0);
    tf.dispose([x, skipped, plain]);
    model.dispose();
  });

  it('keeps the filter gradient of a convolution whose filter is computed from the differentiated input', async () => {
    await tf.setBackend(backend);
    const x = tf.tensor4d(seededF32(16, 12, -1, 1), [1, 4, 4, 1]);
    const w = tf.tensor4d(seededF32(9, 13, -1, 1), [3, 3, 1, 1]);
    // y = sum(conv(x, filter(x)) + conv(x, w)): the first filter depends on x, the second does not.
    const f = (skip: boolean) => (input: tf.Tensor) => {
      const x4 = input as tf.Tensor4D;
      const dynamic = tf.reshape<tf.Rank.R4>(tf.slice(x4, [0, 0, 0, 0], [1, 3, 3, 1]), [3, 3, 1, 1]);
      const y1 = tf.fused.conv2d({ x: x4, filter: dynamic, strides: 1, pad: 'valid' });
      const y2 = tf.fused.conv2d({ x: x4, filter: w, strides: 1, pad: 'valid' });
      if (skip) skipUnneededFilterGradients([input]);
      return tf.add(tf.sum(y1), tf.sum(tf.mul(y2, y2)));
    };
    const before = skippedFilterGradients();
    const skipped = tf.grad(f(true))(x);
    expect(skippedFilterGradients() - before).toBe(1);
    const plain = tf.grad(f(false))(x);
    expect(await bits(skipped)).toEqual(await bits(plain));
    // The dynamic filter's path matters: the same function with that filter held constant has another gradient.
    const held = tf.tidy<tf.Tensor<tf.Rank.R4>>(() => tf.reshape(tf.slice(x, [0, 0, 0, 0], [1, 3, 3, 1]), [3, 3, 1, 1]));
    const withoutDynamic = tf.grad((input: tf.Tensor) => {
      const x4 = input as tf.Tensor4D;
      const y1 = tf.fused.conv2d({ x: x4, filter: held, strides: 1, pad: 'valid' });
      const y2 = tf.fused.conv2d({ x: x4, filter: w, strides: 1, pad: 'valid' });
      return tf.add(tf.sum(y1), tf.sum(tf.mul(y2, y2)));
    })(x);
    expect(await bits(withoutDynamic)).not.toEqual(await bits(skipped));
    tf.dispose([x, w, held, skipped, plain, withoutDynamic]);
  });

  it('keeps the bias gradient of a fused convolution whose bias is computed from the differentiated input', async () => {
    await tf.setBackend(backend);
    const x = tf.tensor4d(seededF32(2 * 4 * 4 * 2, 19, -1, 1), [2, 4, 4, 2]);
    const w = tf.tensor4d(seededF32(9 * 2 * 3, 20, -1, 1), [3, 3, 2, 3]);
    const bias = tf.tensor1d(seededF32(3, 21, -1, 1));
    // conv(x, w) + b(x), then conv(x, w) + b: the bias depends on x, then it does not.
    const cases: [(input: tf.Tensor4D) => tf.Tensor1D, number][] = [
      [(input) => tf.reshape<tf.Rank.R1>(tf.sum(tf.slice(input, [0, 0, 0, 0], [1, 1, 3, 1])), [-1]), 0],
      [() => bias, 1],
    ];
    for (const [biasOf, want] of cases) {
      const f = (skip: boolean) => (input: tf.Tensor) => {
        const x4 = input as tf.Tensor4D;
        const y = tf.fused.conv2d({ x: x4, filter: w, strides: 1, pad: 'same', bias: biasOf(x4) });
        if (skip) skipUnneededFilterGradients([input]);
        return tf.sum(tf.mul(y, y));
      };
      const [beforeFilter, beforeBias] = [skippedFilterGradients(), skippedConvBiasGradients()];
      const skipped = tf.grad(f(true))(x);
      expect(skippedFilterGradients() - beforeFilter).toBe(1);
      expect(skippedConvBiasGradients() - beforeBias).toBe(want);
      const plain = tf.grad(f(false))(x);
      expect(await bits(skipped)).toEqual(await bits(plain));
      expect(await maxAbs(skipped)).toBeGreaterThan(0);
      tf.dispose([skipped, plain]);
    }
    tf.dispose([x, w, bias]);
  });

  it('keeps the gradients of a fused matmul whose weight or bias is computed from the differentiated input', async () => {
    await tf.setBackend(backend);
    const x = tf.tensor2d(seededF32(2 * 4, 16, -1, 1), [2, 4]);
    const w = tf.tensor2d(seededF32(4 * 4, 17, -1, 1), [4, 4]);
    const bias = tf.tensor1d(seededF32(4, 18, -1, 1));
    // y = x W(x) + b, then x W + b(x): the weight, then the bias depends on x; then x W + b and x W^T: neither.
    const cases: [(input: tf.Tensor2D) => tf.Tensor, number][] = [
      [(input) => tf.fused.matMul({ a: input, b: tf.matMul(input, input, true), bias }), 0], // x^T x: [4, 4]
      [(input) => tf.fused.matMul({ a: input, b: w, bias: tf.sum(input, 0) }), 0],
      [(input) => tf.fused.matMul({ a: input, b: w, bias }), 2],
      [(input) => tf.fused.matMul({ a: input, b: w, transposeB: true }), 1], // no bias: the weight's only
    ];
    for (const [layer, want] of cases) {
      const f = (skip: boolean) => (input: tf.Tensor) => {
        const y = layer(input as tf.Tensor2D);
        if (skip) skipUnneededFilterGradients([input]);
        return tf.sum(tf.mul(y, y));
      };
      const before = skippedDenseGradients();
      const skipped = tf.grad(f(true))(x);
      expect(skippedDenseGradients() - before).toBe(want);
      const plain = tf.grad(f(false))(x);
      expect(await bits(skipped)).toEqual(await bits(plain));
      expect(await maxAbs(skipped)).toBeGreaterThan(0);
      tf.dispose([skipped, plain]);
    }
    tf.dispose([x, w, bias]);
  });

  it("does nothing inside somebody else's gradient (depth > 1): their weight gradients stay", async () => {
    await tf.setBackend(backend);
    const x = tf.tensor4d(seededF32(16, 14, -1, 1), [1, 4, 4, 1]);
    const w = tf.tensor4d(seededF32(9, 15, -1, 1), [3, 3, 1, 1]);
    const before = skippedFilterGradients();
    // The outer gradient is with respect to w; the inner one (webxai's call) with respect to x.
    const dw = tf.grad((weights: tf.Tensor) =>
      tf.sum(
        tf.grad((input: tf.Tensor) => {
          const y = tf.fused.conv2d({ x: input as tf.Tensor4D, filter: weights as tf.Tensor4D, strides: 1, pad: 'valid' });
          skipUnneededFilterGradients([input]);
          return tf.sum(tf.mul(y, y));
        })(x),
      ),
    )(w);
    expect(skippedFilterGradients() - before).toBe(0);
    expect(await maxAbs(dw)).toBeGreaterThan(0);
    tf.dispose([x, w, dw]);
  });
});
