// SPDX-License-Identifier: Apache-2.0
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { linearModel } from '@webxai/testing/models';
import { kernelValidationEnabled, liveBufferCount, setKernelValidation } from '@webxai/shaders';
import { tfjsDevice, tfjsUsedBufferCount } from '../../interop/tfjs-webgpu.js';
import type { BlackBoxModel } from '../../model/types.js';
import { evaluate } from '../evaluate.js';

/** Two smooth non-linear scores of an image. */
const squaresAndSines = (x: tf.Tensor4D) =>
  tf.tidy(
    () => tf.concat([tf.sum(tf.square(x), [1, 2, 3]).reshape([-1, 1]), tf.sum(tf.sin(x), [1, 2, 3]).reshape([-1, 1])], 1) as tf.Tensor2D,
  );

/** The same model as a black box: its batches are written on the host, then it runs on webgpu as the tfjs model. */
const blackBox: BlackBoxModel = {
  async predict(batch, shape) {
    const scores = tf.tidy(() => squaresAndSines(tf.tensor4d(batch, shape)));
    try {
      return (await scores.data()) as Float32Array;
    } finally {
      scores.dispose();
    }
  },
};

const counts = () => [tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(tfjsDevice())];

const [H, W, C, K] = [5, 4, 3, 2];

describe('infidelity', () => {
  beforeEach(() => tf.setBackend('webgpu'));

  it('is ~0 for the gradient of a linear model, grows for a scaled one unless normalized, same on both paths', async () => {
    const results: number[][] = [];
    for (const backend of ['webgpu', 'cpu']) {
      await tf.setBackend(backend);
      const { model, kernel } = linearModel({ height: H, width: W, channels: C, classes: K, seed: 5 });
      const x = tf.randomUniform([2, H, W, C], 0, 1, 'float32', 6);
      const gradient = tf.tensor4d(
        Float32Array.from({ length: 2 * H * W * C }, (_, i) => kernel[(i % (H * W * C)) * K]!),
        [2, H, W, C],
      );
      const doubled = tf.mul(gradient, 2);
      const options = { metric: 'infidelity', target: 0, samples: 6, noiseStd: 0.1, seed: 1 } as const;
      const exact = await evaluate(model, x, gradient, options);
      const wrong = await evaluate(model, x, doubled, options);
      const normalised = await evaluate(model, x, doubled, { ...options, normalize: true });
      // f32 model arithmetic on O(1) scores: squared errors ~1e-12
      for (const s of [...exact.scores, ...normalised.scores]) expect(s).toBeLessThan(1e-9);
      for (const s of wrong.scores) expect(s).toBeGreaterThan(1e-4);
      results.push(wrong.scores);
      tf.dispose([x, gradient, doubled]);
      model.dispose();
    }
    expect(results[0]).toBeAllClose(results[1]!, { abs: 1e-6, rel: 1e-4 });
  });

  it('equals (I.a - delta)^2 by hand for a per-pixel map broadcast over channels', async () => {
    // f(x) = sum of all values: delta = sum(I); a per-pixel map of ones gives I.a = sum(I) too.
    const model = (x: tf.Tensor4D) =>
      tf.tidy(
        () =>
          tf.concat([tf.reshape(tf.sum(x, [1, 2, 3]), [-1, 1]), tf.zerosLike(tf.reshape(tf.sum(x, [1, 2, 3]), [-1, 1]))], 1) as tf.Tensor2D,
      );
    const x = tf.ones([1, H, W, C]);
    const ones = tf.ones([1, H, W]);
    const r = await evaluate(model, x, ones, { metric: 'infidelity', target: 0, samples: 3, noiseStd: 0.5 });
    expect(r.scores[0]).toBeLessThan(1e-9);
    tf.dispose([x, ones]);
  });

  it('makes x - I on the GPU as the host path writes it: the same scores as a black box of the same model, 3 images', async () => {
    const x = tf.randomUniform<tf.Rank.R4>([3, H, W, C], 0, 1, 'float32', 7);
    const a = tf.randomNormal<tf.Rank.R4>([3, H, W, C], 0, 1, 'float32', 8);
    const options = { metric: 'infidelity', target: [0, 1, 0], samples: 5, noiseStd: 0.2, seed: 4, batchSize: 4 } as const;
    const gpu = await evaluate(squaresAndSines, x, a, options);
    const host = await evaluate(blackBox, x, a, options);
    expect(gpu.path).toBe('gpu');
    expect(gpu.scores).toBeAllClose(host.scores, { abs: 1e-9, rel: 1e-6 });
    tf.dispose([x, a]);
  });

  it('sends its batches before the attribution readback lands, which carries no input values; reads back twice; leaks nothing', async () => {
    const events: string[] = [];
    const model = (v: tf.Tensor4D) => (events.push('model'), squaresAndSines(v));
    // eslint-disable-next-line @typescript-eslint/unbound-method -- applied to its buffer below
    const mapAsync = GPUBuffer.prototype.mapAsync;
    let readbacks = 0;
    const readBytes: number[] = [];
    const spy = vi.spyOn(GPUBuffer.prototype, 'mapAsync').mockImplementation(function (this: GPUBuffer, ...args) {
      readbacks++;
      readBytes.push(this.size);
      return mapAsync.apply(this, args).then(() => void events.push('mapped'));
    });
    // As in production: per-dispatch validation scopes wait for the GPU, and the readback lands meanwhile.
    const validation = kernelValidationEnabled();
    setKernelValidation(false);
    const run = async () => {
      const [x, a] = [
        tf.randomUniform<tf.Rank.R4>([2, H, W, C], 0, 1, 'float32', 9),
        tf.randomNormal<tf.Rank.R3>([2, H, W], 0, 1, 'float32', 10),
      ];
      [events.length, readbacks, readBytes.length] = [0, 0, 0];
      await evaluate(model, x, a, { metric: 'infidelity', samples: 4, batchSize: 4 });
      tf.dispose([x, a]);
    };
    try {
      await run(); // compiles noise-points (asynchronously: the readback lands meanwhile)
      const before = counts();
      await run();
      expect(events[0]).toBe('model'); // the first batch went out before the attribution landed
      expect(events).toContain('mapped');
      expect(readbacks).toBe(2);
      // The attribution's readback (the first) leaves the input out: x - I_s is made on the GPU.
      expect(readBytes[0]).toBeLessThan(2 * H * W * C * 4);
      expect(counts()).toEqual(before);
    } finally {
      setKernelValidation(validation);
      spy.mockRestore();
    }
  });

  it('rejects a NaN input, whose batches went out before the check was read, and leaks nothing', async () => {
    const before = counts();
    const x = tf.tensor4d(
      Float32Array.from({ length: H * W * C }, (_, i) => (i === 5 ? NaN : i / 10)),
      [1, H, W, C],
    );
    const a = tf.ones([1, H, W]);
    await expect(evaluate(squaresAndSines, x, a, { metric: 'infidelity', samples: 3 })).rejects.toThrow(/input contains NaN or Inf/);
    tf.dispose([x, a]);
    expect(counts()).toEqual(before);
  });
});
