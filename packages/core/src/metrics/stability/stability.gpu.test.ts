// SPDX-License-Identifier: Apache-2.0
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { disposeWeights, tinyCnn, tinyCnnWeights, type TinyCnnWeights } from '@webxai/testing/models';
import { InvalidOptionError } from '@webxai/shaders';
import { countReadbacks } from '@webxai/testing';
import { explain } from '../../api/explain.js';
import { fromOnnx } from '../../model/onnx/from-onnx.js';
import { disposeTrustReport, trustReport } from '../trust-report/trust-report.js';
import { compareModels } from './compare-models.js';
import { stability } from './stability.js';

const fixture = readFileSync(new URL('../../../../testing/fixtures/tiny-cnn-nchw.onnx', import.meta.url));

describe('stability, compareModels, trustReport', () => {
  let weights: TinyCnnWeights;
  let model: tf.LayersModel;
  let x: tf.Tensor4D;
  beforeAll(async () => {
    await tf.setBackend('webgpu');
    weights = tinyCnnWeights();
    model = tinyCnn('sequential', weights);
    x = tf.randomUniform<tf.Rank.R4>([2, 16, 16, 3], 0, 1, 'float32', 3);
  });
  afterAll(() => {
    model.dispose();
    disposeWeights(weights);
    x.dispose();
  });

  it('stability: the std map and rank correlation of seeded SmoothGrad runs, checked against the runs themselves', async () => {
    const options = { method: 'smoothgrad', samples: 4, noiseLevel: 0.3 } as const;
    const tensors = tf.memory().numTensors;
    const { result: s, readbacks } = await countReadbacks(() =>
      stability(model, x, { explain: options, runs: 2, firstSeed: 5, target: 1 }),
    );
    expect(tf.memory().numTensors).toBe(tensors + 2); // std and mean
    // The input's check, the target's scores and both runs' maps together (was 6: each run's explain
    // read its scores and then its map).
    expect(readbacks).toBe(3);
    expect(s.std.shape).toEqual([2, 16, 16]);
    // With two runs, the population std of each pixel is |a - b| / 2.
    const runs: Float32Array[] = [];
    for (const seed of [5, 6]) {
      const r = await explain(model, x, { ...options, seed, target: 1 });
      runs.push((await tf.sum(r.attribution, 3).data()) as Float32Array);
      r.attribution.dispose();
    }
    const want = runs[0]!.map((v, i) => Math.abs(v - runs[1]![i]!) / 2);
    expect(await s.std.data()).toBeAllClose(want, { abs: 1e-6, rel: 1e-4 });
    for (const c of s.rankCorrelation) {
      expect(c).toBeLessThan(1);
      expect(c).toBeGreaterThan(0);
    }
    tf.dispose([s.std, s.mean]);
    await expect(stability(model, x, { explain: options, runs: 1 })).rejects.toThrow(/stability: runs must be an integer >= 2, got 1/);
    await expect(stability(model, x, {} as never)).rejects.toThrow(InvalidOptionError);
  });

  it('compareModels: a model against itself is identical; tfjs against its ONNX twin agrees', async () => {
    const same = await compareModels(model, model, x, { explain: { method: 'saliency' } });
    expect(same.spearman).toBeAllClose([1, 1], { abs: 1e-12, rel: 0 });
    expect(same.ssim).toBeAllClose([1, 1], { abs: 1e-12, rel: 0 });
    expect(Math.max(...(await tf.abs(same.difference).data()))).toBe(0);
    same.difference.dispose();
    const session = await ort.InferenceSession.create(fixture);
    const twin = await compareModels(model, fromOnnx(session, { Tensor: ort.Tensor }), x, {
      explain: { method: 'occlusion', window: 4, stride: 2 },
    });
    for (const s of twin.spearman) expect(s).toBeGreaterThan(0.999);
    expect(Math.max(...(await tf.abs(twin.difference).data()))).toBeLessThan(1e-4);
    twin.difference.dispose();
    await session.release();
  });

  it('trustReport: every method scored by every metric, with the maps; no leaks', async () => {
    const options = {
      methods: ['saliency', { method: 'grad-cam', layer: 'conv2' }] as const,
      metrics: ['deletion', { metric: 'insertion', steps: 8 }, 'sparseness'] as const,
    };
    const warm = await trustReport(model, x, options);
    disposeTrustReport(warm);
    const before = tf.memory().numTensors;
    const report = await trustReport(model, x, options);
    expect(report.rows.map((r) => `${r.method}/${r.metric}`)).toEqual([
      'saliency/deletion',
      'saliency/insertion',
      'saliency/sparseness',
      'grad-cam/deletion',
      'grad-cam/insertion',
      'grad-cam/sparseness',
    ]);
    for (const row of report.rows) {
      expect(row.scores).toHaveLength(2);
      expect(row.mean).toBeCloseTo((row.scores[0]! + row.scores[1]!) / 2, 12);
      expect(row.timeMs).toBeGreaterThan(0);
    }
    expect(report.maps.map((m) => m.method)).toEqual(['saliency', 'grad-cam']);
    disposeTrustReport(report);
    expect(tf.memory().numTensors).toBe(before);
    await expect(trustReport(model, x, { methods: [], metrics: ['deletion'] })).rejects.toThrow(/methods must be a non-empty array/);
    await expect(trustReport(model, x, { methods: ['saliency'], metrics: ['nope' as never] })).rejects.toThrow(/unknown metric 'nope'/);
  });
});
