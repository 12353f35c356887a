// SPDX-License-Identifier: Apache-2.0
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { linearModel } from '@webxai/testing/models';
import { AbortedError, InvalidOptionError, liveBufferCount, ModelError } from '@webxai/shaders';
import { createExplainerFor } from '../../api/explainer.js';
import { flushTfjs, gpuBufferOf, tfjsDevice, tfjsUsedBufferCount } from '../../interop/tfjs-webgpu.js';
import type { BlackBoxModel } from '../../model/types.js';
import { occlusion } from './occlusion.js';

const [H, W, C, K] = [8, 10, 2, 3];

/** f_k(x) = sum_i x_i kernel[i, k] + bias[k], in JS: the same function as linearModel, as a black box. */
function linearBox(kernel: Float32Array, bias: Float32Array): BlackBoxModel {
  return {
    predict(batch, shape) {
      const features = shape[1] * shape[2] * shape[3];
      const out = new Float32Array(shape[0] * K);
      for (let b = 0; b < shape[0]; b++) {
        for (let k = 0; k < K; k++) {
          let s = bias[k]!;
          for (let i = 0; i < features; i++) s += batch[b * features + i]! * kernel[i * K + k]!;
          out[b * K + k] = s;
        }
      }
      return Promise.resolve(out);
    },
  };
}

/** The hand-computed occlusion map of a linear model for non-overlapping windows (stride = window). */
function expectedLinear(x: Float32Array, kernel: Float32Array, target: number, win: [number, number], baseline: number): Float32Array {
  const out = new Float32Array(H * W);
  const rows = Math.floor(H / win[0]);
  const cols = Math.floor(W / win[1]);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let drop = 0;
      for (let y = r * win[0]; y < (r + 1) * win[0]; y++)
        for (let xx = c * win[1]; xx < (c + 1) * win[1]; xx++)
          for (let ch = 0; ch < C; ch++) {
            const i = (y * W + xx) * C + ch;
            drop += kernel[i * K + target]! * (x[i]! - baseline);
          }
      for (let y = r * win[0]; y < (r + 1) * win[0]; y++) for (let xx = c * win[1]; xx < (c + 1) * win[1]; xx++) out[y * W + xx] = drop;
    }
  }
  return out;
}

describe('occlusion', () => {
  beforeEach(() => tf.setBackend('webgpu'));
  afterEach(() => tf.setBackend('webgpu'));

  it('equals the hand-computed drop of a linear model on both paths and for a black box', async () => {
    await tf.setBackend('cpu');
    const { model, kernel, bias } = linearModel({ height: H, width: W, channels: C, classes: K, seed: 4 });
    const x = tf.randomUniform([H, W, C], 0, 1, 'float32', 9);
    const values = (await x.data()) as Float32Array;
    const options = { method: 'occlusion', window: [2, 5], stride: [2, 5], baselineValue: 0.25, target: 1, batchSize: 3 } as const;
    const want = expectedLinear(values, kernel, 1, [2, 5], 0.25);
    const cpu = await createExplainerFor(occlusion, model, options).explain(x);
    expect(cpu.path).toBe('cpu');
    expect(cpu.windows).toBe(8);
    expect(await cpu.attribution.data()).toBeAllClose(want, { abs: 1e-5, rel: 1e-4 });
    const boxCpu = await createExplainerFor(occlusion, linearBox(kernel, bias), options).explain(x);
    expect(await boxCpu.attribution.data()).toBeAllClose(want, { abs: 1e-5, rel: 1e-4 });
    tf.dispose([cpu.attribution, boxCpu.attribution]);

    await tf.setBackend('webgpu');
    const xg = tf.tensor3d(values, [H, W, C]);
    for (const m of [model, linearBox(kernel, bias)]) {
      const gpu = await createExplainerFor(occlusion, m, options).explain(xg);
      // A black box's batches are built on the host, so occlusion then runs as CPU references.
      expect(gpu.path).toBe(m === model ? 'gpu' : 'cpu');
      expect(gpu.attribution.shape).toEqual([1, H, W]);
      expect(await gpu.attribution.data()).toBeAllClose(want, { abs: 1e-5, rel: 1e-4 });
      gpu.attribution.dispose();
    }
    xg.dispose();
  });

  it('gives exactly zero where the model ignores the input, and averages overlapping windows', async () => {
    // The model reads only the left half: every window inside the right half changes nothing.
    const model = (x: tf.Tensor4D) => tf.sum<tf.Tensor2D>(tf.slice(x, [0, 0, 0, 0], [-1, H, W / 2, C]), [1, 2]);
    const x = tf.randomUniform([2, H, W, C], 0, 1, 'float32', 3);
    const r = await createExplainerFor(occlusion, model, { method: 'occlusion', window: [2, 2], stride: [1, 1], target: 0 }).explain(x);
    const a = await r.attribution.data();
    for (let b = 0; b < 2; b++) for (let y = 0; y < H; y++) for (let xx = W / 2 + 1; xx < W; xx++) expect(a[(b * H + y) * W + xx]).toBe(0); // all windows over xx lie in the right half
    // A left-half pixel's drop is positive (inputs > 0 replaced by 0).
    expect(a[0]).toBeGreaterThan(0);
    tf.dispose([x, r.attribution]);
  });

  it('reports progress, cancels within one batch and leaks nothing', async () => {
    const { model } = linearModel({ height: H, width: W, channels: C, classes: K, seed: 2 });
    const x = tf.randomUniform([H, W, C], 0, 1, 'float32', 1);
    const explainer = createExplainerFor(occlusion, model, { method: 'occlusion', window: 2, stride: 1, batchSize: 7 });
    (await explainer.explain(x)).attribution.dispose(); // warm-up: pipelines, tfjs pool
    const device = tfjsDevice();
    const before = [tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(device)];
    const reports: [number, number, number | undefined][] = [];
    const r = await explainer.explain(x, {
      onProgress: (p) => {
        expect(p.partial!.shape).toEqual([1, H, W]);
        reports.push([p.done, p.total, p.convergence]);
      },
    });
    expect(reports.map((p) => p[0])).toEqual([7, 14, 21, 28, 35, 42, 49, 56, 63]);
    expect(reports[0]![2]).toBe(1);
    r.attribution.dispose();
    const controller = new AbortController();
    let batches = 0;
    const aborted = explainer.explain(x, {
      signal: controller.signal,
      onProgress: () => {
        batches++;
        controller.abort();
      },
    });
    await expect(aborted).rejects.toThrow(AbortedError);
    expect(batches).toBe(1);
    expect([tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(device)]).toEqual(before);
    explainer.dispose();
    x.dispose();
  });

  it('rejects bad options and bad black boxes with typed errors, leaving nothing behind', async () => {
    const x = tf.randomUniform([H, W, C], 0, 1, 'float32', 1);
    // x on the GPU before the baseline: the window-11 run below, rejected early, uploads it (its
    // buffer lives as long as x); the warm-up no longer does (a batch of one image is not sliced).
    gpuBufferOf(x);
    const box = (predict: BlackBoxModel['predict']) => ({ predict });
    expect(() =>
      createExplainerFor(
        occlusion,
        box(() => Promise.resolve(new Float32Array())),
        { method: 'occlusion', window: 0 },
      ),
    ).toThrow(InvalidOptionError);
    expect(() =>
      createExplainerFor(
        occlusion,
        box(() => Promise.resolve(new Float32Array())),
        { method: 'occlusion', stride: [1, 1.5] as never },
      ),
    ).toThrow(/stride/);
    const run = (predict: BlackBoxModel['predict'], window = 4) =>
      createExplainerFor(occlusion, box(predict), { method: 'occlusion', window }).explain(x);
    await run((_, s) => Promise.resolve(new Float32Array(s[0] * 2))); // warm-up
    const device = tfjsDevice();
    // Submitting tfjs's pending work releases the buffers of tensors disposed while still queued (a
    // black box's image slices are no longer read back, which used to submit them).
    const memory = () => (flushTfjs(), [tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(device)]);
    const before = memory();
    await expect(run((_, s) => Promise.resolve(new Float32Array(s[0] * 2)), 11)).rejects.toThrow(
      /occlusion: window must be no larger than the image \[8, 10\], got \[11,11\]/,
    );
    let calls = 0;
    const wrongShapeLater = (_: Float32Array, s: number[]) => Promise.resolve(new Float32Array(calls++ === 0 ? s[0]! * 2 : s[0]! * 2 + 1));
    await expect(run(wrongShapeLater)).rejects.toThrow(ModelError);
    calls = 0;
    const nanLater = (_: Float32Array, s: number[]) => Promise.resolve(new Float32Array(s[0]! * 2).fill(calls++ === 0 ? 0 : Number.NaN));
    await expect(run(nanLater)).rejects.toThrow(/returned NaN/);
    calls = 0;
    const rejectLater = async (_: Float32Array, s: number[]) =>
      calls++ === 0 ? new Float32Array(s[0]! * 2) : Promise.reject(new Error('quota exceeded'));
    await expect(run(rejectLater)).rejects.toThrow(/rejected: quota exceeded/);
    expect(memory()).toEqual(before);
    x.dispose();
  });
});
