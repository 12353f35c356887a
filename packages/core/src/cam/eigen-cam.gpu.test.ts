// SPDX-License-Identifier: Apache-2.0
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { identityFeatureModel } from '@webxai/testing/models';
import { disposeResult } from '../api/dispose-result.js';
import { explain } from '../api/explain.js';

const values = async (t: tf.Tensor) => Array.from(await t.data());
const dispose = disposeResult; // attribution and map(s)

describe('Eigen-CAM and eigenSmooth', () => {
  beforeAll(async () => {
    await tf.setBackend('webgpu');
  });

  // A rank-one activation A[p, k] = a_p b_k: centred, it is (a - mean a) b^T, whose first principal
  // component projects to (a - mean a) * |b| (sign: sum_k b_k > 0), so the map is relu of that.
  const [h, w] = [3, 5];
  const a = Array.from({ length: h * w }, (_, p) => ((p * 7) % 11) / 10);
  const mean = a.reduce((s, v) => s + v, 0) / a.length;
  const A = (b: number[]) => a.flatMap((ap) => b.map((bk) => ap * bk));

  it('Eigen-CAM of a rank-one activation is relu((a - mean a) |b|), on both Gram forms', async () => {
    // 3 channels < 15 positions: channels x channels Gram; 20 channels > 15: positions x positions.
    for (const b of [[0.5, 2, 1], Array.from({ length: 20 }, (_, k) => 0.1 + (k % 4) * 0.3)]) {
      const model = identityFeatureModel(
        h,
        w,
        b.map(() => [1, -1]),
      );
      const x = tf.tensor4d(A(b), [1, h, w, b.length]);
      const r = await explain(model, x, { method: 'eigen-cam', layer: 'features' });
      const norm = Math.hypot(...b);
      expect(await values(r.map as tf.Tensor), `${b.length} channels`).toBeAllClose(
        a.map((ap) => Math.max(0, (ap - mean) * norm)),
        { abs: 1e-4, rel: 1e-3 },
      );
      dispose(r);
      x.dispose();
    }
  });

  it('signConvention: the default, its opposite, and max-abs (svd_flip) on both backends; checked options', async () => {
    // One clearly lowest position: the largest |centred value| is negative, so max-abs flips the default.
    const low = a.map((ap, p) => (p === 4 ? 0 : ap + 0.5)); // non-negative: the features layer may clip
    const lowMean = low.reduce((s, v) => s + v, 0) / low.length;
    const b = [0.5, 2, 1];
    const norm = Math.hypot(...b);
    const centred = low.map((ap) => (ap - lowMean) * norm);
    const peak = centred.reduce((best, v) => (Math.abs(v) > Math.abs(best) ? v : best), 0);
    const want = {
      'channel-sum': centred,
      'negative-channel-sum': centred.map((v) => -v),
      'max-abs': centred.map((v) => Math.sign(peak) * v),
    } as const;
    expect(peak).toBeLessThan(0);
    for (const backend of ['webgpu', 'cpu'] as const) {
      await tf.setBackend(backend);
      const model = identityFeatureModel(
        h,
        w,
        b.map(() => [1, -1]),
      );
      const x = tf.tensor4d(
        low.flatMap((ap) => b.map((bk) => ap * bk)),
        [1, h, w, b.length],
      );
      for (const [signConvention, projection] of Object.entries(want)) {
        const r = await explain(model, x, { method: 'eigen-cam', layer: 'features', signConvention: signConvention as keyof typeof want });
        expect(await values(r.map as tf.Tensor), `${backend} ${signConvention}`).toBeAllClose(
          projection.map((v) => Math.max(0, v)),
          { abs: 1e-4, rel: 1e-3 },
        );
        dispose(r);
      }
      await expect(explain(model, x, { method: 'eigen-cam', layer: 'features', signConvention: 'lapack' as never })).rejects.toThrow(
        /signConvention must be one of/,
      );
      await expect(explain(model, x, { method: 'grad-cam', layer: 'features', signConvention: 'max-abs' })).rejects.toThrow(
        /signConvention applies to Eigen-CAM and eigenSmooth only/,
      );
      x.dispose();
      model.dispose();
    }
    await tf.setBackend('webgpu');
  });

  it('Grad-CAM with eigenSmooth takes the component of the weighted activations', async () => {
    // Grad-CAM weights are W[k, c] / (h w); the weighted activation is a (w o b)^T, rank one again.
    const b = [0.5, 2, 1];
    const W = [[1], [0.5], [-2]];
    const model = identityFeatureModel(h, w, W);
    const x = tf.tensor4d(A(b), [1, h, w, 3]);
    const r = await explain(model, x, { method: 'grad-cam', layer: 'features', eigenSmooth: true });
    const weighted = b.map((bk, k) => (bk * W[k]![0]!) / (h * w));
    const sign = Math.sign(weighted.reduce((s, v) => s + v, 0));
    const norm = Math.hypot(...weighted);
    expect(await values(r.map as tf.Tensor)).toBeAllClose(
      a.map((ap) => Math.max(0, sign * (ap - mean) * norm)),
      { abs: 1e-5, rel: 1e-3 },
    );
    dispose(r);
    x.dispose();
  });
});
