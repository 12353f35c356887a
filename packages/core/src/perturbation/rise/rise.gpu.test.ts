// SPDX-License-Identifier: Apache-2.0
import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { linearModel } from '@webxai/testing/models';
import { AbortedError, InvalidOptionError, liveBufferCount, perturbBatchRef, riseMasksRef } from '@webxai/shaders';
import { nhwcToNchw } from '../../model/onnx/from-onnx.js';
import { createExplainerFor } from '../../api/explainer.js';
import { tfjsDevice, tfjsUsedBufferCount } from '../../interop/tfjs-webgpu.js';
import { rise, riseSamples } from './rise.js';
import { wasmMemoryOf } from '../shared/host-batch-pool.js';
import { nchwToNhwc } from '../../../test/layouts.js';

const [H, W, C, K] = [12, 9, 3, 2];

describe('rise', () => {
  afterEach(() => tf.setBackend('webgpu'));

  it('is sum_i f(x . M_i) M_i / (N p), identical masks on both paths for the same seed', async () => {
    await tf.setBackend('cpu');
    const { model, kernel, bias } = linearModel({ height: H, width: W, channels: C, classes: K, seed: 8 });
    const x = tf.randomUniform([H, W, C], 0, 1, 'float32', 5);
    const values = (await x.data()) as Float32Array;
    const [N, p, cell] = [50, 0.4, 4];
    const options = { method: 'rise', masks: N, probability: p, cellSize: cell, seed: 77, target: 1, batchSize: 16 } as const;
    // Hand computation from the same samples.
    const g = { height: H, width: W, cell, gridH: 3, gridW: 3 };
    const { grids, shifts } = riseSamples(77, N, g, p);
    const masks = riseMasksRef(g, grids, shifts, 0, N);
    const want = new Float64Array(H * W);
    for (let i = 0; i < N; i++) {
      let f = bias[1]!;
      for (let q = 0; q < H * W; q++)
        for (let c = 0; c < C; c++) f += values[q * C + c]! * masks[i * H * W + q]! * kernel[(q * C + c) * K + 1]!;
      for (let q = 0; q < H * W; q++) want[q] = want[q]! + (f * masks[i * H * W + q]!) / (N * p);
    }
    const cpu = await createExplainerFor(rise, model, options).explain(x);
    expect(await cpu.attribution.data()).toBeAllClose(want, { abs: 1e-4, rel: 1e-4 });
    await tf.setBackend('webgpu');
    const xg = tf.tensor3d(values, [H, W, C]);
    const gpu = await createExplainerFor(rise, model, options).explain(xg);
    expect(gpu.path).toBe('gpu');
    expect(await gpu.attribution.data()).toBeAllClose(want, { abs: 1e-4, rel: 1e-4 });
    const other = await createExplainerFor(rise, model, { ...options, seed: 78 }).explain(xg);
    expect(Array.from(await other.attribution.data())).not.toEqual(Array.from(await gpu.attribution.data()));
    tf.dispose([x, xg, cpu.attribution, gpu.attribution, other.attribution]);
  });

  it('a black box gets batches written by WebAssembly in its memory, NCHW (planar) or NHWC: the same batches up to transposition, the same map', async () => {
    const { model, kernel, bias } = linearModel({ height: H, width: W, channels: C, classes: K, seed: 8 });
    /** The linear model on NHWC host batches (f64 sums, rounded once). */
    const predict = (batch: Float32Array, [n]: [number, number, number, number]) => {
      const scores = new Float32Array(n * K);
      for (let i = 0; i < n; i++)
        for (let k = 0; k < K; k++) {
          let f = bias[k]!;
          for (let q = 0; q < H * W * C; q++) f += batch[i * H * W * C + q]! * kernel[q * K + k]!;
          scores[i * K + k] = f;
        }
      return Promise.resolve(scores);
    };
    const x = tf.randomUniform([H, W, C], -1, 1, 'float32', 5);
    const options = { method: 'rise', masks: 50, cellSize: 4, seed: 77, target: 1, batchSize: 16 } as const;
    const values = await x.data();
    const run = async (planar: boolean) => {
      const batches: Float32Array[] = [];
      const inMemory: boolean[] = [];
      /** Records every batch (a copy: the host batch buffer is reused) and whether it lives in a WebAssembly.Memory. */
      const seen = (batch: Float32Array) => (batches.push(batch.slice()), inMemory.push(wasmMemoryOf(batch) !== undefined));
      const nhwc = (batch: Float32Array, shape: [number, number, number, number]) => (seen(batch), predict(batch, shape));
      const nchw = (batch: Float32Array, shape: [number, number, number, number]) => (
        seen(batch),
        predict(nchwToNhwc(batch, shape), shape)
      );
      const box = planar ? { predict: nhwc, predictNchw: nchw } : { predict: nhwc };
      const r = await createExplainerFor(rise, box, options).explain(x);
      const map = await r.attribution.data();
      r.attribution.dispose();
      return { batches, inMemory, map };
    };
    await run(true); // warm: tfjs keeps buffers of a first call
    const device = tfjsDevice();
    const before = [tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(device)];
    const [interleaved, planar] = [await run(false), await run(true)];
    expect([tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(device)]).toEqual(before);
    expect(planar.batches.map((b) => b.length / (H * W * C))).toEqual([1, 16, 16, 16, 2]); // the clean image, then 50 masks
    // The mask batches (not the clean image, which is the input's own values) live in a memory.
    expect([planar.inMemory.slice(1), interleaved.inMemory.slice(1)]).toEqual([Array(4).fill(true), Array(4).fill(true)]);
    planar.batches.forEach((batch, i) => {
      const n = batch.length / (H * W * C);
      expect(new Uint32Array(batch.buffer)).toEqual(new Uint32Array(nhwcToNchw(interleaved.batches[i]!, n, H * W, C).buffer));
    });
    expect(Array.from(planar.map)).toEqual(Array.from(interleaved.map));
    // The same map as the tfjs model's on the webgpu and the cpu path (scores rounded differently).
    for (const backend of ['cpu', 'webgpu']) {
      await tf.setBackend(backend);
      const xb = tf.tensor3d(values, [H, W, C]);
      const r = await createExplainerFor(rise, model, options).explain(xb);
      expect(r.path).toBe(backend === 'cpu' ? 'cpu' : 'gpu');
      expect(await r.attribution.data()).toBeAllClose(planar.map, { abs: 1e-4, rel: 1e-4 });
      tf.dispose([xb, r.attribution]);
    }
    x.dispose();
  });

  it('samples a fraction p of cells, with shifts inside one cell', () => {
    const g = { height: 64, width: 64, cell: 8, gridH: 8, gridW: 8 };
    const { grids, shifts } = riseSamples(3, 500, g, 0.3);
    const kept = grids.reduce((a, v) => a + v, 0) / grids.length;
    expect(Math.abs(kept - 0.3)).toBeLessThan(4 * Math.sqrt((0.3 * 0.7) / grids.length));
    expect(shifts.every((s) => s < 8)).toBe(true);
    expect(new Set(shifts).size).toBe(8);
  });

  it('a constant model gives a nearly constant map; cancels and leaks nothing', async () => {
    const constant = (x: tf.Tensor4D) => tf.add(tf.mul(tf.sum(x, [1, 2, 3]), 0), 2).expandDims<tf.Tensor2D>(1);
    const x = tf.randomUniform([H, W, C], 0, 1, 'float32', 5);
    const explainer = createExplainerFor(rise, constant, { method: 'rise', masks: 2000, cellSize: 3, batchSize: 500 });
    const r = await explainer.explain(x);
    const a = await r.attribution.data();
    // E[M(p)] = p for every pixel: the map is 2 up to sampling noise (sd ~ 2 sqrt((1-p)/(N p)) ~ 0.045).
    for (const v of a) expect(Math.abs(v - 2)).toBeLessThan(0.25);
    r.attribution.dispose();
    const device = tfjsDevice();
    const before = [tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(device)];
    const controller = new AbortController();
    await expect(explainer.explain(x, { signal: controller.signal, onProgress: () => controller.abort() })).rejects.toThrow(AbortedError);
    expect([tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(device)]).toEqual(before);
    expect(() => createExplainerFor(rise, constant, { method: 'rise', probability: 1 })).toThrow(InvalidOptionError);
    expect(() => createExplainerFor(rise, constant, { method: 'rise', masks: 0 })).toThrow(/masks must be an integer/);
    x.dispose();
  });
});

describe('RiseHost', () => {
  const cases = [
    { height: 13, width: 9, cell: 4, gridH: 4, gridW: 3 },
    { height: 1, width: 1, cell: 1, gridH: 1, gridW: 1 },
  ];

  it('writes perturbBatchRef of riseMasksRef bit for bit, in both layouts (1, 3 and 4 channels; +0 where the mask is 0)', async () => {
    const { RiseHost } = await import('./rise-cpu.js');
    for (const [g, channels] of cases.flatMap((g) => [1, 3, 4].map((c) => [g, c] as const))) {
      const pixels = g.height * g.width;
      const { grids, shifts } = riseSamples(5, 7, g, 0.5);
      const image = Float32Array.from({ length: pixels * channels }, (_, i) => Math.sin(i) * 3);
      const masks = riseMasksRef(g, grids, shifts, 2, 5);
      const want = perturbBatchRef({ image, fill: new Float32Array(image.length), masks, maskStride: pixels, pixels, channels, count: 5 });
      const host = new RiseHost(g, grids, shifts, image, channels, 5);
      const nhwc = new Float32Array(5 * pixels * channels);
      host.write(nhwc, 2, 5, 'nhwc');
      expect(Array.from(nhwc)).toEqual(Array.from(want));
      const nchw = new Float32Array(5 * pixels * channels);
      host.write(nchw, 2, 5, 'nchw');
      expect(Array.from(nchw)).toEqual(Array.from(nhwcToNchw(want, 5, pixels, channels)));
    }
  });

  it('sums weight x mask over batches as maskAccumulateRef does (f64 masks: within 2^-24)', async () => {
    const { RiseHost } = await import('./rise-cpu.js');
    for (const g of cases) {
      const pixels = g.height * g.width;
      const { grids, shifts } = riseSamples(9, 11, g, 0.5);
      const masks = riseMasksRef(g, grids, shifts, 0, 11);
      const weights = Float64Array.from({ length: 11 }, (_, i) => (i % 3) - 0.7 * i);
      const want = new Float64Array(pixels);
      for (let b = 0; b < 11; b++) for (let p = 0; p < pixels; p++) want[p] = want[p]! + weights[b]! * masks[b * pixels + p]!;
      const host = new RiseHost(g, grids, shifts, new Float32Array(pixels), 1, 4);
      const out = new Float32Array(4 * pixels);
      for (let first = 0; first < 11; first += 4) {
        const count = Math.min(4, 11 - first);
        host.write(out, first, count, 'nhwc');
        host.accumulate(first, weights.subarray(first, first + count));
      }
      expect(host.sum()).toBeAllClose(want, { abs: 1e-6, rel: 1e-6 });
      expect(() => host.accumulate(0, weights.subarray(0, 3))).toThrow(/invariant/);
    }
  });
});
