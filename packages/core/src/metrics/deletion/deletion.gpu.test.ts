// SPDX-License-Identifier: Apache-2.0
// Deletion and insertion (Petsiuk et al. 2018): known answers on hand-built models, webgpu = cpu,
// ONNX (black box) = the same tfjs model, typed errors and no leaks.
import { beforeEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { countReadbacks } from '@webxai/testing';
import { disposeWeights, tinyCnn, tinyCnnWeights } from '@webxai/testing/models';
import { InvalidInputError, InvalidOptionError, liveBufferCount, ShapeMismatchError } from '@webxai/shaders';
import { tfjsDevice, tfjsUsedBufferCount } from '../../interop/tfjs-webgpu.js';
import { fromOnnx } from '../../model/onnx/from-onnx.js';
import { evaluate } from '../evaluate.js';
import { useTinyCnnOnnxTwin } from '../../../test/tiny-cnn-onnx-twin.js';

/** Logits [10 * x[1, 2, 0], 0]: the model reads one pixel, (y, x) = (1, 2), of a 4x4x1 image. */
const onePixel = (x: tf.Tensor4D) =>
  tf.tidy(() => {
    const v = tf.reshape(tf.slice(x, [0, 1, 2, 0], [-1, 1, 1, 1]), [-1, 1]);
    return tf.concat([tf.mul(v, 10), tf.zerosLike(v)], 1) as tf.Tensor2D;
  });

/** A linear logit f(x) = sum_p w_p x_p over a 2x2x1 image, class 0; class 1 is 0. */
const W = [1, 2, 3, 4];
const linear = (x: tf.Tensor4D) =>
  tf.tidy(() => {
    const f = tf.sum(tf.mul(tf.reshape(x, [-1, 4]), tf.tensor1d(W)), 1, true);
    return tf.concat([f, tf.zerosLike(f)], 1) as tf.Tensor2D;
  });

describe('deletion and insertion', () => {
  beforeEach(() => tf.setBackend('webgpu'));

  it('rank an attribution that puts the one pixel the model reads first above its reverse', async () => {
    const x = tf.ones([4, 4, 1]);
    const good = tf.tensor2d(
      Array.from({ length: 16 }, (_, p) => (p === 6 ? 1 : 0)),
      [4, 4],
    );
    const reverse = tf.neg(good);
    const run = async (metric: 'deletion' | 'insertion', a: tf.Tensor) =>
      (await evaluate(onePixel, x, a, { metric, steps: 16, target: 0 })).scores[0]!;
    const [dGood, dRev, iGood, iRev] = [
      await run('deletion', good),
      await run('deletion', reverse),
      await run('insertion', good),
      await run('insertion', reverse),
    ];
    expect(dGood).toBeLessThan(dRev);
    expect(iGood).toBeGreaterThan(iRev);
    // good: deleted at the first step, so only the first trapezoid keeps probability
    // p(10 vs 0) = 1 / (1 + e^-10); after, p = 0.5.
    const p = 1 / (1 + Math.exp(-10));
    expect(dGood).toBeCloseTo((p + 0.5) / 2 / 16 + (15 * 0.5) / 16, 6);
    tf.dispose([x, good, reverse]);
  });

  it('gives the hand-computed curves of a linear model on a 2x2 image (logits, zero and constant fills)', async () => {
    await tf.setBackend('cpu'); // and the gpu path below
    for (const backend of ['cpu', 'webgpu']) {
      await tf.setBackend(backend);
      const x = tf.tensor3d([1, 1, 1, 1], [2, 2, 1]);
      // scores: pixel 3 highest, then a tie between pixels 0 and 2 (row-major: 0 first), then 1.
      const a = tf.tensor2d([0.5, 0.1, 0.5, 0.9], [2, 2]);
      // 4 pixels over 3 steps: k = 0..3 removes floor(4k/3) = 0, 1, 2, 4 pixels (order 3, 0, 2, 1).
      const del = await evaluate(linear, x, a, { metric: 'deletion', steps: 3, output: 'logit', target: 0 });
      expect(Array.from(del.curves![0]!)).toEqual([10, 6, 5, 0]);
      expect(del.scores[0]).toBeCloseTo((16 / 2 + 11 / 2 + 5 / 2) / 3, 6);
      const ins = await evaluate(linear, x, a, { metric: 'insertion', steps: 3, output: 'logit', target: 0, fill: 2 });
      // fill 2 everywhere: f = 20; inserting a 1 at pixel p lowers f by w_p.
      expect(Array.from(ins.curves![0]!)).toEqual([20, 16, 15, 10]);
      expect(ins.path).toBe(backend === 'cpu' ? 'cpu' : 'gpu');
      const mean = await evaluate(linear, x, a, { metric: 'deletion', steps: 1, output: 'logit', target: 0, fill: 'mean' });
      expect(Array.from(mean.curves![0]!)).toEqual([10, 10]); // the mean of an all-ones image is 1
      tf.dispose([x, a]);
    }
  });

  it('uses the explain result target, the probability of a softmax head as is, and resizes a smaller map', async () => {
    const probs = (x: tf.Tensor4D) => tf.softmax<tf.Tensor2D>(onePixel(x));
    const x = tf.ones([1, 4, 4, 1]);
    const small = tf.tensor3d([0, 1, 0, 0], [1, 2, 2]); // upsampled: the top-right quadrant, where pixel (1, 2) lies, comes first
    const result = { attribution: small, target: [1] };
    const r = await evaluate(probs, x, result, { metric: 'deletion', steps: 4 });
    expect(r.target).toEqual([1]);
    const p1 = 1 / (1 + Math.exp(10)); // class 1's probability with the pixel present
    expect(r.curves![0]![0]).toBeCloseTo(p1, 6); // not softmax(softmax)
    expect(r.curves![0]![1]).toBeCloseTo(0.5, 6); // the quadrant went first
    tf.dispose([x, small]);
  });

  describe('on the tiny CNN', () => {
    const twin = useTinyCnnOnnxTwin();

    const data = () => ({
      x: tf.randomUniform([2, 16, 16, 3], 0, 1, 'float32', 5),
      a: tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 6),
    });

    it('webgpu = cpu, and an ONNX black box = the same tfjs model, for every fill', async () => {
      for (const fill of ['zero', 'mean', 'blur', 0.5] as const) {
        for (const metric of ['deletion', 'insertion'] as const) {
          const options = { metric, steps: 20, fill, batchSize: 7 } as const;
          await tf.setBackend('webgpu');
          const { x, a } = data();
          const gpu = await evaluate(twin.model, x, a, options);
          const onnx = await evaluate(fromOnnx(twin.session, { Tensor: ort.Tensor }), x, a, options);
          const [xs, as] = [await x.data(), await a.data()];
          tf.dispose([x, a]);
          // The cpu path gets its own copy of the model (tfjs cannot read webgpu weights synchronously).
          await tf.setBackend('cpu');
          const cpuWeights = tinyCnnWeights();
          const cpuModel = tinyCnn('sequential', cpuWeights);
          const [xc, ac] = [tf.tensor4d(xs, [2, 16, 16, 3]), tf.tensor4d(as, [2, 16, 16, 3])];
          const cpu = await evaluate(cpuModel, xc, ac, options);
          tf.dispose([xc, ac]);
          cpuModel.dispose();
          disposeWeights(cpuWeights);
          expect(gpu.path).toBe('gpu');
          expect(cpu.path).toBe('cpu');
          for (let i = 0; i < 2; i++) {
            expect(gpu.curves![i]).toBeAllClose(cpu.curves![i]!, { abs: 1e-5, rel: 1e-4 });
            expect(onnx.curves![i]).toBeAllClose(gpu.curves![i]!, { abs: 1e-5, rel: 1e-4 });
          }
          expect(gpu.scores).toBeAllClose(cpu.scores, { abs: 1e-5, rel: 1e-4 });
          expect(onnx.scores).toBeAllClose(gpu.scores, { abs: 1e-5, rel: 1e-4 });
          expect(gpu.target).toEqual(cpu.target);
        }
      }
      await tf.setBackend('webgpu');
    });

    it('leaks no tensors or GPU buffers', async () => {
      const { x, a } = data();
      await evaluate(twin.model, x, a, { metric: 'deletion', steps: 10, batchSize: 4 }); // warm-up
      const device = tfjsDevice();
      const before = [tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(device)];
      for (const metric of ['deletion', 'insertion'] as const) await evaluate(twin.model, x, a, { metric, steps: 10, batchSize: 4 });
      await expect(evaluate(twin.model, x, a, { metric: 'deletion', steps: 0 })).rejects.toThrow(InvalidOptionError);
      expect([tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(device)]).toEqual(before);
      tf.dispose([x, a]);
    });

    it('an ONNX black box reads the input back once, checks it on the host, and leaks nothing', async () => {
      const onnx = fromOnnx(twin.session, { layout: 'nchw', Tensor: ort.Tensor });
      const { x, a } = data();
      // Fresh tensors each call (tfjs keeps a read tensor's values): one readback for the input's
      // values and their NaN / Inf check, one for the attribution's; none per image or for the
      // original scores (were 3 + 1 per image: the check, the batch for the scores, each image).
      const run = async (metric: 'deletion' | 'insertion') => {
        const [freshX, freshA] = [tf.add(x, 0), tf.add(a, 0)];
        const counted = await countReadbacks(() => evaluate(onnx, freshX, freshA, { metric, steps: 10, batchSize: 4 }));
        tf.dispose([freshX, freshA]);
        return counted;
      };
      await run('deletion'); // warm-up
      const device = tfjsDevice();
      const before = [tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(device)];
      for (const metric of ['deletion', 'insertion'] as const) {
        const { result, readbacks } = await run(metric);
        expect(readbacks).toBe(2);
        expect(result.curves).toHaveLength(2);
      }
      const nan = tf.tidy(() => tf.where(tf.equal(tf.range(0, x.size).reshape(x.shape), 100), tf.fill(x.shape, NaN), x));
      for (const bad of [nan, tf.fill(x.shape, -Infinity)]) {
        await expect(evaluate(onnx, bad, a, { metric: 'insertion', steps: 10 })).rejects.toThrow(InvalidInputError);
        bad.dispose();
      }
      expect([tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(device)]).toEqual(before);
      tf.dispose([x, a]);
    });

    it('throws typed errors naming the problem', async () => {
      const { x, a } = data();
      const bad = tf.ones([2, 16, 15]);
      const nan = tf.fill([2, 16, 16], NaN);
      await expect(evaluate(twin.model, x, bad, { metric: 'deletion' })).rejects.toThrow(ShapeMismatchError);
      await expect(evaluate(twin.model, x, tf.ones([3, 16, 16]), { metric: 'deletion' })).rejects.toThrow(
        /attribution has shape \[3,16,16\]/,
      );
      await expect(evaluate(twin.model, x, nan, { metric: 'deletion' })).rejects.toThrow(InvalidInputError);
      await expect(evaluate(twin.model, x, a, { metric: 'deletion', steps: 0 })).rejects.toThrow(/steps must be an integer/);
      await expect(evaluate(twin.model, x, a, { metric: 'deletion', steps: 2.5 })).rejects.toThrow(InvalidOptionError);
      await expect(evaluate(twin.model, x, a, { metric: 'deletion', fill: 'noise' as never })).rejects.toThrow(/fill must be/);
      await expect(evaluate(twin.model, x, a, { metric: 'deletion', output: 'prob' as never })).rejects.toThrow(/output must be/);
      await expect(evaluate(twin.model, x, a, { metric: 'deletion', step: 10 } as never)).rejects.toThrow(/unknown option 'step'/);
      await expect(evaluate(twin.model, x, a, { metric: 'delete' } as never)).rejects.toThrow(/unknown metric 'delete'.*deletion/);
      await expect(evaluate(twin.model, x, a, { metric: 'toString' } as never)).rejects.toThrow(InvalidOptionError);
      tf.dispose([x, a, bad, nan]);
    });
  });
});
