// SPDX-License-Identifier: Apache-2.0
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { disposeWeights, segmentLinearModel, tinyCnn, tinyCnnWeights } from '@webxai/testing/models';
import { InvalidOptionError, liveBufferCount } from '@webxai/shaders';
import { createExplainerFor } from '../../api/explainer.js';
import { tfjsDevice, tfjsUsedBufferCount } from '../../interop/tfjs-webgpu.js';
import { kernelShap } from './kernel-shap.js';
import { shapDesign } from './sampling.js';

const [H, W, C, K] = [12, 16, 3, 3];
const blocks = Int32Array.from({ length: H * W }, (_, p) => Math.floor(Math.floor(p / W) / 4) * 4 + Math.floor((p % W) / 4));
const quads = Int32Array.from({ length: H * W }, (_, p) => (Math.floor(p / W) < H / 2 ? 0 : 2) + (p % W < W / 2 ? 0 : 1));

describe('kernel-shap sampling', () => {
  it('enumerates every coalition when the budget allows, with Shapley-kernel weights summing to 1', () => {
    const d = shapDesign(4, 1000, 0);
    expect(d.rows).toBe(14); // 2^4 - 2
    expect(d.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const keys = new Set(Array.from({ length: d.rows }, (_, r) => d.masks.slice(r * 4, r * 4 + 4).join('')));
    expect(keys.size).toBe(14);
  });
  it('pairs random coalitions with their complements and is seeded', () => {
    const a = shapDesign(20, 300, 7);
    const b = shapDesign(20, 300, 7);
    expect(a.masks).toEqual(b.masks);
    expect(a.rows).toBe(300);
    expect(a.weights.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 10);
    // the first random row (after the 40 singletons + complements) is followed by its complement
    const row = (r: number) => Array.from(a.masks.slice(r * 20, r * 20 + 20));
    expect(row(41)).toEqual(row(40).map((v) => 1 - v));
    expect(shapDesign(20, 300, 8).masks).not.toEqual(a.masks);
  });
});

describe('kernel-shap', () => {
  beforeAll(() => tf.setBackend('webgpu'));
  afterEach(() => tf.setBackend('webgpu'));

  it('gives the exact weights of a model linear in segment means, on both paths', async () => {
    const truth = segmentLinearModel({ height: H, width: W, channels: C, classes: K, labels: blocks, seed: 9 });
    const values = Float32Array.from({ length: H * W * C }, (_, i) => 0.1 + 0.8 * (((i * 104729) % 97) / 97));
    const means = Array.from({ length: 12 }, (_, s) => {
      let sum = 0;
      let n = 0;
      for (let p = 0; p < H * W; p++)
        if (blocks[p] === s)
          for (let c = 0; c < C; c++) {
            sum += values[p * C + c]!;
            n++;
          }
      return sum / n;
    });
    const want = means.map((m, s) => truth.coefficients[1 * 12 + s]! * m);
    const options = { method: 'kernel-shap', samples: 200, fill: 'zero', segments: blocks, target: 1, seed: 2 } as const;
    const x = tf.tensor3d(values, [H, W, C]);
    for (const model of [truth.model, truth.box]) {
      const r = await createExplainerFor(kernelShap, model, options).explain(x);
      expect(r.shapValues[0]).toBeAllClose(want, { abs: 2e-4, rel: 1e-3 });
      expect(r.baseValue[0]).toBeCloseTo(truth.bias[1]!, 5);
      tf.dispose([r.attribution, r.segments]);
    }
    await tf.setBackend('cpu');
    const cpuTruth = segmentLinearModel({ height: H, width: W, channels: C, classes: K, labels: blocks, seed: 9 });
    const xc = tf.tensor3d(values, [H, W, C]);
    const cpu = await createExplainerFor(kernelShap, cpuTruth.model, options).explain(xc);
    expect(cpu.path).toBe('cpu');
    expect(cpu.shapValues[0]).toBeAllClose(want, { abs: 2e-4, rel: 1e-3 });
    tf.dispose([xc, cpu.attribution, cpu.segments]);
    cpuTruth.dispose();
    await tf.setBackend('webgpu');
    x.dispose();
    truth.dispose();
  });

  it('equals brute-force Shapley values of a nonlinear model when every coalition is evaluated; efficiency holds', async () => {
    const weights = tinyCnnWeights({ height: H, width: W, channels: C, classes: K, seed: 6 });
    const model = tinyCnn('sequential', weights);
    const x = tf.randomUniform<tf.Rank.R4>([1, H, W, C], 0, 1, 'float32', 8);
    const r = await createExplainerFor(kernelShap, model, { method: 'kernel-shap', segments: quads, fill: 0.5, target: 0 }).explain(x);
    // v(S): the model on x with the quadrants outside S set to 0.5.
    const values = (await x.data()) as Float32Array;
    const v = new Map<number, number>();
    const batch = new Float32Array(16 * H * W * C);
    for (let s = 0; s < 16; s++)
      for (let p = 0; p < H * W; p++)
        for (let c = 0; c < C; c++) batch[(s * H * W + p) * C + c] = (s >> quads[p]!) & 1 ? values[p * C + c]! : 0.5;
    const scores = tf.tidy(() => (model.predict(tf.tensor4d(batch, [16, H, W, C])) as tf.Tensor2D).slice([0, 0], [16, 1]));
    (await scores.data()).forEach((f, s) => v.set(s, f));
    scores.dispose();
    const fact = [1, 1, 2, 6, 24];
    const exact = [0, 1, 2, 3].map((i) => {
      let phi = 0;
      for (let s = 0; s < 16; s++) {
        if ((s >> i) & 1) continue;
        const size = [0, 1, 2, 3].filter((j) => (s >> j) & 1).length;
        phi += ((fact[size]! * fact[3 - size]!) / fact[4]!) * (v.get(s | (1 << i))! - v.get(s)!);
      }
      return phi;
    });
    expect(r.shapValues[0]).toBeAllClose(exact, { abs: 1e-4, rel: 1e-3 });
    const sum = r.shapValues[0]!.reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(r.prediction[0]! - r.baseValue[0]!, 5);
    expect(r.baseValue[0]).toBeCloseTo(v.get(0)!, 4);
    tf.dispose([x, r.attribution, r.segments]);
    disposeWeights(weights);
  });

  it('efficiency with sampled coalitions on a nonlinear model; bad input; no leaks', async () => {
    const weights = tinyCnnWeights({ height: H, width: W, channels: C, classes: K, seed: 7 });
    const model = tinyCnn('functional', weights);
    const x = tf.randomUniform([2, H, W, C], 0, 1, 'float32', 9);
    const ex = createExplainerFor(kernelShap, model, { method: 'kernel-shap', samples: 60, segments: blocks, fill: 'blur', seed: 1 });
    const warm = await ex.explain(x);
    tf.dispose([warm.attribution, warm.segments]);
    const device = tfjsDevice();
    const before = [tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(device)];
    const r = await ex.explain(x);
    for (let i = 0; i < 2; i++) {
      const sum = r.shapValues[i]!.reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(r.prediction[i]! - r.baseValue[i]!, 5);
    }
    tf.dispose([r.attribution, r.segments]);
    await expect(
      createExplainerFor(kernelShap, model, { method: 'kernel-shap', samples: 11, segments: blocks }).explain(x),
    ).rejects.toThrow(InvalidOptionError);
    await expect(
      createExplainerFor(kernelShap, model, { method: 'kernel-shap', samples: 11, segments: blocks }).explain(x),
    ).rejects.toThrow(/kernel-shap: samples must be >= the number of features \(12 superpixels\).*got 11/);
    expect([tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(device)]).toEqual(before);
    x.dispose();
    disposeWeights(weights);
  });
});
