// SPDX-License-Identifier: Apache-2.0
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { linearModel } from '@webxai/testing/models';
import { kernelValidationEnabled, liveBufferCount, setKernelValidation } from '@webxai/shaders';
import { countReadbacks } from '@webxai/testing';
import { tfjsDevice, tfjsUsedBufferCount } from '../../interop/tfjs-webgpu.js';
import { evaluate } from '../evaluate.js';
import { randomSubsetMasks } from './faithfulness-correlation.js';

const [H, W, C, K] = [6, 5, 2, 3];

describe('faithfulness-correlation', () => {
  beforeEach(() => tf.setBackend('webgpu'));

  it('draws distinct pixels per subset, reproducibly', () => {
    const masks = randomSubsetMasks(3, 4, 30, 7);
    for (let r = 0; r < 4; r++) expect(masks.subarray(r * 30, (r + 1) * 30).filter((m) => m === 0).length).toBe(7);
    expect(Array.from(randomSubsetMasks(3, 4, 30, 7))).toEqual(Array.from(masks));
    expect(Array.from(randomSubsetMasks(4, 4, 30, 7))).not.toEqual(Array.from(masks));
  });

  it('rejects an output other than probability or logit', async () => {
    const x = tf.ones([1, 4, 4, 1]);
    const model = (v: tf.Tensor4D) => tf.sum<tf.Tensor2D>(v, [1, 2]);
    const options = { metric: 'faithfulness-correlation', output: 'prob' as never } as const;
    const a = tf.ones([1, 4, 4]);
    await expect(evaluate(model, x, a, options)).rejects.toThrow(
      /faithfulness-correlation: output must be 'probability' or 'logit', got "prob"/,
    );
    tf.dispose([x, a]);
  });

  it('is 1 for the exact attribution of a linear model (gradient x input), -1 for its negation, on both paths', async () => {
    for (const backend of ['cpu', 'webgpu']) {
      await tf.setBackend(backend);
      const { model, kernel } = linearModel({ height: H, width: W, channels: C, classes: K, seed: 3 });
      const x = tf.randomUniform([2, H, W, C], 0, 1, 'float32', 4);
      // Zero fill removes x_i w_i from the logit: the exact attribution of a subset is sum x_i w_i.
      const weights = tf.tensor4d(
        Float32Array.from({ length: H * W * C }, (_, i) => kernel[i * K + 1]!),
        [1, H, W, C],
      );
      const exact = tf.mul(x, weights);
      const options = { metric: 'faithfulness-correlation', runs: 20, subsetSize: 6, target: 1, seed: 2, batchSize: 8 } as const;
      const good = await evaluate(model, x, exact, options);
      expect(good.scores).toBeAllClose([1, 1], { abs: 1e-5, rel: 0 });
      const negated = tf.neg(exact);
      expect((await evaluate(model, x, negated, options)).scores).toBeAllClose([-1, -1], { abs: 1e-5, rel: 0 });
      tf.dispose([x, weights, exact, negated]);
      model.dispose();
    }
  });

  it('sends its batches before the attribution readback lands with a constant fill (which reads no input back), after it with one made from the image', async () => {
    const events: string[] = [];
    const readBytes: number[] = [];
    const sum = (x: tf.Tensor4D) => (events.push('model'), tf.sum<tf.Tensor2D>(x, [1, 2]));
    // eslint-disable-next-line @typescript-eslint/unbound-method -- applied to its buffer below
    const mapAsync = GPUBuffer.prototype.mapAsync;
    const spy = vi.spyOn(GPUBuffer.prototype, 'mapAsync').mockImplementation(function (this: GPUBuffer, ...args) {
      readBytes.push(this.size);
      return mapAsync.apply(this, args).then(() => void events.push('mapped'));
    });
    const x = tf.randomUniform<tf.Rank.R4>([1, H, W, C], 0, 1, 'float32', 5);
    const a = tf.randomUniform<tf.Rank.R3>([1, H, W], -1, 1, 'float32', 6);
    // As in production: per-dispatch validation scopes wait for the GPU, and the readback lands meanwhile.
    const validation = kernelValidationEnabled();
    setKernelValidation(false);
    try {
      // The order of the first model call and the first readback, and whether that readback (the
      // attribution's) carried the input's values.
      const order = async (fill: 'zero' | 'mean' | number) => {
        [events.length, readBytes.length] = [0, 0];
        await evaluate(sum, x, a, { metric: 'faithfulness-correlation', runs: 4, subsetSize: 3, fill, target: 0 });
        return [...events.slice(0, 2), readBytes[0]! >= x.size * 4 ? 'with input' : 'without input'];
      };
      await order('zero'); // compiles the mask pipelines (asynchronously: the readback lands meanwhile)
      expect(await order('zero')).toEqual(['model', 'mapped', 'without input']);
      expect(await order(0.5)).toEqual(['model', 'mapped', 'without input']);
      expect(await order('mean')).toEqual(['mapped', 'model', 'with input']);
    } finally {
      setKernelValidation(validation);
      spy.mockRestore();
      tf.dispose([x, a]);
    }
  });

  it('rejects a NaN input with a constant fill, whose batches went out before the check was read', async () => {
    const before = [tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(tfjsDevice())];
    const x = tf.tensor4d(
      Float32Array.from({ length: H * W * C }, (_, i) => (i === 7 ? NaN : i / 10)),
      [1, H, W, C],
    );
    const a = tf.ones([1, H, W]);
    const sum = (v: tf.Tensor4D) => tf.sum<tf.Tensor2D>(v, [1, 2]);
    // The model's scores are NaN too: the input's error is the one reported.
    await expect(evaluate(sum, x, a, { metric: 'faithfulness-correlation', runs: 4, subsetSize: 3 })).rejects.toThrow(
      /input contains NaN or Inf/,
    );
    tf.dispose([x, a]);
    expect([tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(tfjsDevice())]).toEqual(before);
  });

  it('agrees between webgpu and cpu on a non-linear model, reads back twice and leaks nothing', async () => {
    const model = (x: tf.Tensor4D) => tf.tidy(() => tf.concat([tf.sum(tf.square(x), [1, 2]), tf.sum(tf.sin(x), [1, 2])], 1) as tf.Tensor2D);
    const values = Array.from({ length: H * W * C }, (_, i) => Math.sin(i));
    const map = Array.from({ length: H * W }, (_, i) => Math.cos(i * 0.7));
    const run = async () => {
      const x = tf.tensor4d(values, [1, H, W, C]);
      const a = tf.tensor3d(map, [1, H, W]);
      const r = await evaluate(model, x, a, { metric: 'faithfulness-correlation', runs: 12, subsetSize: 5, fill: 'mean', target: 0 });
      tf.dispose([x, a]);
      return r;
    };
    await run();
    const before = [tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(tfjsDevice())];
    // Two readbacks: the attribution with the input and its check; the original's scores with the subsets'.
    const { result: gpu, readbacks } = await countReadbacks(run);
    expect(readbacks).toBe(2);
    expect([tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(tfjsDevice())]).toEqual(before);
    await tf.setBackend('cpu');
    const cpu = await run();
    expect(gpu.path).toBe('gpu');
    expect(gpu.scores).toBeAllClose(cpu.scores, { abs: 1e-5, rel: 1e-4 });
    expect(Math.abs(gpu.scores[0]!)).toBeLessThan(1);
  });
});
