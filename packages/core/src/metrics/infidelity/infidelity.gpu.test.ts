// SPDX-License-Identifier: Apache-2.0
import { beforeEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { linearModel } from '@webxai/testing/models';
import { evaluate } from '../evaluate.js';

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
});
