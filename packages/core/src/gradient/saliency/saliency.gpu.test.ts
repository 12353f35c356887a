// SPDX-License-Identifier: Apache-2.0
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { disposeWeights, linearModel, tinyCnn, tinyCnnWeights, type TinyCnnWeights } from '@webxai/testing/models';
import { InvalidOptionError } from '@webxai/shaders';
import { explain } from '../../api/explain.js';

describe('saliency and gradient x input', () => {
  let weights: TinyCnnWeights;
  beforeAll(async () => {
    await tf.setBackend('webgpu');
    weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, classes: 5, seed: 21 });
  });
  afterAll(() => disposeWeights(weights));

  it('on a linear model: saliency = |w|, signed saliency = w, gradient x input = x * w, exactly', async () => {
    const { model, kernel } = linearModel({ height: 3, width: 4, channels: 2, classes: 3, seed: 9 });
    const x = tf.randomUniform([2, 3, 4, 2], -1, 1, 'float32', 5);
    const xs = Array.from(await x.data());
    const row = (k: number) => Array.from({ length: 24 }, (_, i) => kernel[i * 3 + k]!);
    const abs = await explain(model, x, { method: 'saliency', target: [1, 2] });
    const signed = await explain(model, x, { method: 'saliency', abs: false, target: [1, 2] });
    const gxi = await explain(model, x, { method: 'gradient-x-input', target: [1, 2] });
    const want = [...row(1), ...row(2)];
    expect(abs.attribution.shape).toEqual([2, 3, 4, 2]);
    expect(Array.from(await abs.attribution.data())).toEqual(want.map((v) => Math.abs(v)));
    expect(Array.from(await signed.attribution.data())).toEqual(want);
    expect(Array.from(await gxi.attribution.data())).toEqual(want.map((v, i) => Math.fround(v * xs[i]!)));
    expect(abs.target).toEqual([1, 2]);
    expect(abs.path).toBe('gpu');
    tf.dispose([x, abs.attribution, signed.attribution, gxi.attribution]);
  });

  it('explains the predicted class by default, and every model kind gives the same gradient', async () => {
    const x = tf.randomUniform([3, 8, 8, 3], 0, 1, 'float32', 6);
    const sequential = tinyCnn('sequential', weights);
    const nested = tinyCnn('nested', weights);
    const fn = (input: tf.Tensor4D) => sequential.apply(input) as tf.Tensor2D;
    const predicted = Array.from(await tf.tidy(() => tf.argMax(sequential.predict(x) as tf.Tensor, 1)).data());
    const results = await Promise.all([sequential, nested, fn].map((m) => explain(m, x, { method: 'saliency', abs: false })));
    const first = Array.from(await results[0]!.attribution.data());
    expect(first.some((v) => v !== 0)).toBe(true);
    for (const r of results) {
      expect(r.target).toEqual(predicted);
      expect(Array.from(await r.attribution.data())).toBeAllClose(first, { abs: 1e-6, rel: 1e-5 });
      r.attribution.dispose();
    }
    x.dispose();
  });

  it('rejects a non-boolean abs', async () => {
    const x = tf.zeros([1, 8, 8, 3]);
    await expect(explain(tinyCnn('sequential', weights), x, { method: 'saliency', abs: 'yes' as never })).rejects.toThrow(
      InvalidOptionError,
    );
    x.dispose();
  });
});
