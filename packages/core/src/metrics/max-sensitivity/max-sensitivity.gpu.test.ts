// SPDX-License-Identifier: Apache-2.0
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { disposeWeights, linearModel, tinyCnn, tinyCnnWeights } from '@webxai/testing/models';
import { InvalidOptionError, liveBufferCount, uniformRef } from '@webxai/shaders';
import { tfjsDevice, tfjsUsedBufferCount } from '../../interop/tfjs-webgpu.js';
import { countReadbacks } from '@webxai/testing';
import { explain } from '../../api/explain.js';
import { evaluate } from '../evaluate.js';

describe('max-sensitivity', () => {
  beforeAll(() => tf.setBackend('webgpu'));

  it('is 0 for saliency of a linear model (a constant gradient) and > 0 for a CNN', async () => {
    const { model } = linearModel({ height: 6, width: 6, channels: 1, classes: 3, seed: 2 });
    const x = tf.randomUniform([1, 6, 6, 1], 0, 1, 'float32', 1);
    const r = await explain(model, x, { method: 'saliency', target: 1 });
    const s = await evaluate(model, x, r, { metric: 'max-sensitivity', explain: { method: 'saliency' }, samples: 3, radius: 0.05 });
    expect(s.scores[0]).toBeLessThan(1e-6);
    expect(s.target).toEqual([1]);
    r.attribution.dispose();
    model.dispose();

    const weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, seed: 4 });
    const cnn = tinyCnn('sequential', weights);
    const y = tf.randomUniform([1, 8, 8, 3], 0, 1, 'float32', 2);
    const g = await explain(cnn, y, { method: 'gradient-x-input' });
    const t = await evaluate(cnn, y, g, { metric: 'max-sensitivity', explain: { method: 'gradient-x-input' }, samples: 4, radius: 0.2 });
    expect(t.scores[0]).toBeGreaterThan(1e-3);
    tf.dispose([x, y, g.attribution]);
    cnn.dispose();
    disposeWeights(weights);
  });

  it('perturbs by the seeded uniform stream on both paths: ||d_s|| / ||x|| for gradient x input of a sum; whole samples per explain call up to the batch; norms read back once; no leak', async () => {
    const model = (v: tf.Tensor4D) => tf.sum<tf.Tensor2D>(v, [1, 2]); // one class; its gradient is 1, so e(x) = x
    const [shape, samples, radius, seed]: [[number, number, number, number], number, number, number] = [[2, 5, 4, 1], 3, 0.1, 7];
    const count = shape.reduce((a, b) => a * b, 1);
    const values = Float32Array.from({ length: count }, (_, i) => 0.2 + 0.05 * (i % 9));
    const expected = [0, 1].map((i) => {
      const per = count / 2;
      const norm = (v: ArrayLike<number>) => Math.hypot(...Array.from(v).slice(i * per, (i + 1) * per));
      const ds = Array.from({ length: samples }, (_, s) =>
        uniformRef(seed, s * count, count).map((u) => Math.fround(Math.fround(u * Math.fround(2 * radius)) - Math.fround(radius))),
      );
      return Math.max(...ds.map(norm)) / norm(values);
    });
    const run = async (batchSize?: number) => {
      const x = tf.tensor4d(values, shape);
      const r = await evaluate(model, x, x, {
        metric: 'max-sensitivity',
        explain: { method: 'gradient-x-input' },
        samples,
        radius,
        seed,
        target: 0,
        ...(batchSize && { batchSize }),
      });
      x.dispose();
      return r;
    };
    await run(); // warm-up: pipelines, pooled buffers
    const held = () => [tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(tfjsDevice())];
    const before = held();
    const { result: gpu, readbacks } = await countReadbacks(() => run());
    // evaluate's attribution readback (beside the metric), the original scores, one per explain call
    // (gradient x input's input check with its map: the 3 samples of 2 images in one call) and one
    // for every norm (was 9 in session 38: a call per sample, the norms read on their own).
    expect(readbacks).toBe(1 + 1 + 1 + 1);
    expect(held()).toEqual(before);
    // A batch of 4 images holds 2 samples of the 2: calls of samples 0-1 and 2, the same scores.
    const { result: grouped, readbacks: groupedReadbacks } = await countReadbacks(() => run(4));
    expect(groupedReadbacks).toBe(1 + 1 + 2 + 1);
    expect(grouped.scores).toEqual(gpu.scores);
    expect(held()).toEqual(before);
    await tf.setBackend('cpu');
    const cpu = await run();
    await tf.setBackend('webgpu');
    expect(gpu.path).toBe('gpu');
    expect(gpu.scores).toBeAllClose(expected, { abs: 1e-5, rel: 1e-4 });
    expect(cpu.scores).toBeAllClose(expected, { abs: 1e-5, rel: 1e-4 });
  });

  it('needs the explain options', async () => {
    const x = tf.ones([1, 4, 4, 1]);
    const model = (v: tf.Tensor4D) => tf.sum<tf.Tensor2D>(v, [1, 2]);
    await expect(evaluate(model, x, tf.ones([1, 4, 4]), { metric: 'max-sensitivity' } as never)).rejects.toThrow(InvalidOptionError);
    x.dispose();
  });
});
