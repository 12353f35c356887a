// SPDX-License-Identifier: Apache-2.0
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { segmentLinearModel } from '@webxai/testing/models';
import { AbortedError, InvalidOptionError, liveBufferCount, ModelError } from '@webxai/shaders';
import { createExplainerFor } from '../../api/explainer.js';
import { tfjsDevice, tfjsUsedBufferCount } from '../../interop/tfjs-webgpu.js';
import { bernoulliMatrix } from '../shared/random.js';
import { lime, limeWeights } from './lime.js';
import { nhwcToNchw } from '../../model/onnx/from-onnx.js';
import { nchwToNhwc } from '../../../test/layouts.js';

const [H, W, C, K] = [12, 16, 3, 3];
/** 4x4 blocks: 3 x 4 = 12 segments. */
const blocks = Int32Array.from({ length: H * W }, (_, p) => Math.floor(Math.floor(p / W) / 4) * 4 + Math.floor((p % W) / 4));

/** Plain f64 weighted ridge with intercept (sklearn Ridge semantics) by Gauss-Jordan, for the oracle. */
function ridge(x: Float32Array, y: Float64Array, w: Float64Array, rows: number, f: number, alpha: number): Float64Array {
  const sw = w.reduce((a, b) => a + b, 0);
  const xm = Array.from({ length: f }, (_, j) => w.reduce((s, wi, r) => s + wi * x[r * f + j]!, 0) / sw);
  const ym = w.reduce((s, wi, r) => s + wi * y[r]!, 0) / sw;
  const a = Array.from({ length: f }, (_, i) =>
    Array.from({ length: f + 1 }, (_, j) => {
      let s = 0;
      for (let r = 0; r < rows; r++) s += w[r]! * (x[r * f + i]! - xm[i]!) * (j < f ? x[r * f + j]! - xm[j]! : y[r]! - ym);
      return s + (i === j ? alpha : 0);
    }),
  );
  for (let c = 0; c < f; c++) {
    for (let r = 0; r < f; r++) {
      if (r === c) continue;
      const m = a[r]![c]! / a[c]![c]!;
      for (let k = c; k <= f; k++) a[r]![k]! -= m * a[c]![k]!;
    }
  }
  return Float64Array.from({ length: f }, (_, i) => a[i]![f]! / a[i]![i]!);
}

describe('lime', () => {
  beforeAll(() => tf.setBackend('webgpu'));
  afterEach(() => tf.setBackend('webgpu'));

  it('recovers the weights of a model linear in segment means (GPU, CPU, black box)', async () => {
    const truth = segmentLinearModel({ height: H, width: W, channels: C, classes: K, labels: blocks, seed: 3 });
    const values = Float32Array.from({ length: H * W * C }, (_, i) => 0.2 + (0.6 * ((i * 7919) % 101)) / 101);
    const options = { method: 'lime', samples: 1000, fill: 'zero', segments: blocks, seed: 5, target: 2, batchSize: 64 } as const;
    // Oracle: the same samples, exact scores, f64 ridge.
    const means = Array.from({ length: 12 }, (_, s) => {
      let sum = 0;
      let count = 0;
      for (let p = 0; p < H * W; p++)
        if (blocks[p] === s)
          for (let c = 0; c < C; c++) {
            sum += values[p * C + c]!;
            count++;
          }
      return sum / count;
    });
    const trueWeights = means.map((m, s) => truth.coefficients[2 * 12 + s]! * m);
    const data = bernoulliMatrix(5, 1000, 12);
    data.fill(1, 0, 12);
    const y = Float64Array.from(
      { length: 1000 },
      (_, r) => truth.bias[2]! + trueWeights.reduce((a, tw, s) => a + tw * data[r * 12 + s]!, 0),
    );
    const want = ridge(data, y, limeWeights(data, 1000, 12, 0.25), 1000, 12, 1);
    // Ridge's shrinkage with alpha = 1 and ~800 effective samples is under 1 %: the weights are recovered.
    want.forEach((v, s) => expect(Math.abs(v - trueWeights[s]!)).toBeLessThan(0.01 * Math.max(...trueWeights.map(Math.abs))));

    const x = tf.tensor3d(values, [H, W, C]);
    for (const model of [truth.model, truth.box]) {
      const r = await createExplainerFor(lime, model, options).explain(x);
      expect(r.path).toBe('gpu');
      expect(r.segmentWeights[0]).toBeAllClose(want, { abs: 2e-4, rel: 1e-3 });
      expect(r.r2[0]).toBeGreaterThan(0.999);
      expect(r.localPrediction[0]).toBeCloseTo(truth.bias[2]! + want.reduce((a, b) => a + b, 0) + (r.intercept[0]! - truth.bias[2]!), 5);
      const map = await r.attribution.data();
      for (let p = 0; p < H * W; p += 13) expect(map[p]).toBeCloseTo(r.segmentWeights[0]![blocks[p]!]!, 6);
      expect(Array.from(await r.segments.data())).toEqual(Array.from(blocks));
      tf.dispose([r.attribution, r.segments]);
    }
    await tf.setBackend('cpu');
    const cpuModel = segmentLinearModel({ height: H, width: W, channels: C, classes: K, labels: blocks, seed: 3 });
    const xc = tf.tensor3d(values, [H, W, C]);
    const cpu = await createExplainerFor(lime, cpuModel.model, options).explain(xc);
    expect(cpu.path).toBe('cpu');
    expect(cpu.segmentWeights[0]).toBeAllClose(want, { abs: 2e-4, rel: 1e-3 });
    tf.dispose([xc, cpu.attribution, cpu.segments]);
    cpuModel.dispose();
    await tf.setBackend('webgpu');
    x.dispose();
    truth.dispose();
  });

  it('feeds the unperturbed image first, bit for bit; built-in superpixels; progress; no leaks', async () => {
    const truth = segmentLinearModel({ height: H, width: W, channels: C, classes: K, labels: blocks, seed: 4 });
    let first: Float32Array | undefined;
    const box = {
      predict: async (batch: Float32Array, shape: [number, number, number, number]) => {
        if (shape[0] > 1 && !first) first = batch.slice(0, H * W * C);
        return truth.box.predict(batch, shape);
      },
    };
    const x = tf.randomUniform([H, W, C], 0, 1, 'float32', 21);
    const explainer = createExplainerFor(lime, box, {
      method: 'lime',
      samples: 100,
      batchSize: 30,
      segmentation: { method: 'slic', segments: 12 },
    });
    const warm = await explainer.explain(x);
    expect(Array.from(first!)).toEqual(Array.from(await x.data()));
    tf.dispose([warm.attribution, warm.segments]);
    const device = tfjsDevice();
    const before = [tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(device)];
    const done: number[] = [];
    const r = await explainer.explain(x, { onProgress: (p) => done.push(p.done) });
    expect(done).toEqual([30, 60, 90, 100]);
    expect(r.segmentWeights[0]!.length).toBe(Math.max(...(await r.segments.data())) + 1);
    tf.dispose([r.attribution, r.segments]);
    const controller = new AbortController();
    await expect(explainer.explain(x, { signal: controller.signal, onProgress: () => controller.abort() })).rejects.toThrow(AbortedError);
    let calls = 0;
    const flaky = {
      predict: async (b: Float32Array, s: [number, number, number, number]) =>
        calls++ < 2 ? truth.box.predict(b, s) : Promise.reject(new Error('gone')),
    };
    await expect(
      createExplainerFor(lime, flaky, { method: 'lime', samples: 100, batchSize: 30, segments: blocks }).explain(x),
    ).rejects.toThrow(ModelError);
    await expect(
      createExplainerFor(lime, box, { method: 'lime', segmentation: { method: 'slic', segments: H * W + 1 } }).explain(x),
    ).rejects.toThrow(InvalidOptionError);
    await expect(createExplainerFor(lime, box, { method: 'lime', segments: new Int32Array(5) }).explain(x)).rejects.toThrow(
      /segments hold 5 labels/,
    );
    // Per-image label maps as an int32 [n, h, w] tensor; labels keep their numbers (Captum's feature_mask).
    const two = tf.stack([x, x]);
    const maps = tf.tensor3d(
      Int32Array.from({ length: 2 * H * W }, (_, i) => (i < H * W ? blocks[i]! : (i - H * W) % 3)),
      [2, H, W],
      'int32',
    );
    const perImage = await createExplainerFor(lime, box, { method: 'lime', samples: 50, segments: maps }).explain(two);
    expect(perImage.segmentWeights.map((w) => w.length)).toEqual([12, 3]);
    expect(Array.from(await perImage.segments.data())).toEqual(Array.from(await maps.data()));
    tf.dispose([two, maps, perImage.attribution, perImage.segments]);
    expect([tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(device)]).toEqual(before);
    expect(() => createExplainerFor(lime, box, { method: 'lime', kernelWidth: 0 })).toThrow(InvalidOptionError);
    expect(() => createExplainerFor(lime, box, { method: 'lime', fill: 'purple' as never })).toThrow(/fill must be/);
    x.dispose();
    truth.dispose();
  });

  it('a planar black box gets the NHWC batches transposed, bit for bit, batch after batch (span copies from staged sources)', async () => {
    const truth = segmentLinearModel({ height: H, width: W, channels: C, classes: K, labels: blocks, seed: 5 });
    const x = tf.randomUniform([H, W, C], 0, 1, 'float32', 22);
    /** Every batch a black box gets (copies: the host batch buffer is reused). */
    const run = async (planar: boolean) => {
      const batches: Float32Array[] = [];
      const nhwc = (batch: Float32Array, shape: [number, number, number, number]) => (
        batches.push(batch.slice()),
        truth.box.predict(batch, shape)
      );
      const box = planar
        ? {
            predict: nhwc,
            predictNchw: (batch: Float32Array, shape: [number, number, number, number]) => {
              batches.push(batch.slice());
              return truth.box.predict(nchwToNhwc(batch, shape), shape);
            },
          }
        : { predict: nhwc };
      const r = await createExplainerFor(lime, box, { method: 'lime', samples: 70, batchSize: 16, segments: blocks, seed: 3 }).explain(x);
      tf.dispose([r.attribution, r.segments]);
      return batches;
    };
    const [interleaved, planar] = [await run(false), await run(true)];
    expect(planar.map((b) => b.length)).toEqual([1, 16, 16, 16, 16, 6].map((n) => n * H * W * C)); // the clean image, then 70 samples
    planar.forEach((batch, i) =>
      expect(Array.from(batch)).toEqual(Array.from(nhwcToNchw(interleaved[i]!, batch.length / (H * W * C), H * W, C))),
    );
    x.dispose();
  });
});
