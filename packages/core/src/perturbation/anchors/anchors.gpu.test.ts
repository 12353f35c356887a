// SPDX-License-Identifier: Apache-2.0
import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { AbortedError, InvalidInputError, InvalidOptionError, liveBufferCount } from '@webxai/shaders';
import { countReadbacks } from '@webxai/testing';
import { countedModel, disposeWeights, tinyCnn, tinyCnnWeights } from '@webxai/testing/models';
import { createExplainerFor } from '../../api/explainer.js';
import { flushTfjs, tfjsDevice, tfjsUsedBufferCount } from '../../interop/tfjs-webgpu.js';
import { anchors } from './anchors.js';
import { klBernoulli, lowerBernoulli, upperBernoulli } from './kl-bounds.js';

const [H, W] = [8, 8];
/** Four 4x4 quadrant segments. */
const quads = Int32Array.from({ length: H * W }, (_, p) => (Math.floor(p / W) < 4 ? 0 : 2) + (p % W < 4 ? 0 : 1));

/** Class 1 iff quadrants 0 and 3 are both bright (mean > 0.5), else class 0: the anchor is {0, 3}. */
const andModel = {
  predict(batch: Float32Array, shape: [number, number, number, number]) {
    const out = new Float32Array(shape[0] * 2);
    for (let b = 0; b < shape[0]; b++) {
      const mean = (q: number) => {
        let s = 0;
        for (let p = 0; p < H * W; p++) if (quads[p] === q) s += batch[b * H * W + p]!;
        return s / 16;
      };
      const on = mean(0) > 0.5 && mean(3) > 0.5;
      out[b * 2 + (on ? 1 : 0)] = 1;
    }
    return Promise.resolve(out);
  },
};

describe('KL bounds', () => {
  it('bracket the mean and tighten with more samples', () => {
    expect(klBernoulli(0.5, 0.5)).toBeCloseTo(0, 12);
    for (const [p, level] of [
      [0.9, 0.1],
      [0.3, 0.01],
      [1, 0.05],
    ] as const) {
      const lo = lowerBernoulli(p, level);
      const hi = upperBernoulli(p, level);
      expect(lo).toBeLessThanOrEqual(p);
      expect(hi).toBeGreaterThanOrEqual(p);
      if (lo > 1e-6) expect(klBernoulli(p, lo)).toBeCloseTo(level, 3);
      expect(upperBernoulli(p, level / 10) - lowerBernoulli(p, level / 10)).toBeLessThan(hi - lo + 1e-12);
    }
  });
});

describe('anchors', () => {
  beforeAll(() => tf.setBackend('webgpu'));

  it('finds the minimal sufficient superpixels of an AND model, with precision and coverage', async () => {
    const x = tf.fill([H, W, 1], 0.9); // every quadrant bright: predicted class 1
    const r = await createExplainerFor(anchors, andModel, { method: 'anchors', segments: quads, fill: 0, seed: 4 }).explain(x);
    expect(r.target).toEqual([1]);
    expect(r.anchor[0]).toEqual([0, 3]);
    expect(r.precision[0]).toBe(1); // with 0 and 3 kept, the class never changes
    expect(r.coverage[0]).toBeCloseTo(0.25, 12);
    const map = await r.attribution.data();
    for (let p = 0; p < H * W; p++) expect(map[p]).toBe(quads[p] === 0 || quads[p] === 3 ? 1 : 0);
    tf.dispose([x, r.attribution, r.segments]);
  });

  it('returns the empty anchor when nothing changes the prediction; cancels; no leaks', async () => {
    const constant = {
      predict: (_: Float32Array, s: [number, number, number, number]) =>
        Promise.resolve(Float32Array.from({ length: s[0] * 2 }, (_, i) => (i % 2 ? 1 : 0))),
    };
    const x = tf.fill([H, W, 1], 0.9);
    const ex = createExplainerFor(anchors, constant, { method: 'anchors', segments: quads });
    const warm = await ex.explain(x);
    expect(warm.anchor[0]).toEqual([]);
    expect(warm.coverage[0]).toBe(1);
    tf.dispose([warm.attribution, warm.segments]);
    const device = tfjsDevice();
    const before = [tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(device)];
    const controller = new AbortController();
    controller.abort();
    await expect(
      createExplainerFor(anchors, andModel, { method: 'anchors', segments: quads, fill: 0 }).explain(x, { signal: controller.signal }),
    ).rejects.toThrow(AbortedError);
    const slow = createExplainerFor(anchors, andModel, { method: 'anchors', segments: quads, fill: 0, maxSamples: 150 });
    const capped = await slow.explain(x);
    expect(capped.samples[0]).toBeLessThanOrEqual(150);
    tf.dispose([capped.attribution, capped.segments]);
    expect([tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(device)]).toEqual(before);
    x.dispose();
  });

  it('with a black box, touches no GPU buffer after the segmentation and reports the cpu path', async () => {
    const device = tfjsDevice();
    const before = liveBufferCount(device);
    const during: number[] = [];
    const watched = {
      predict: (batch: Float32Array, shape: [number, number, number, number]) => {
        during.push(liveBufferCount(device));
        return andModel.predict(batch, shape);
      },
    };
    const x = tf.fill([H, W, 1], 0.9);
    const r = await createExplainerFor(anchors, watched, { method: 'anchors', segments: quads, fill: 0, seed: 4 }).explain(x);
    expect(r.anchor[0]).toEqual([0, 3]);
    expect(r.path).toBe('cpu');
    // The anchor's map, made on the host: 1 on quadrants 0 and 3.
    const map = await r.attribution.data();
    for (let p = 0; p < H * W; p++) expect(map[p]).toBe(quads[p] === 0 || quads[p] === 3 ? 1 : 0);
    expect(during.length).toBeGreaterThan(1);
    expect(new Set(during)).toEqual(new Set([before]));
    tf.dispose([x, r.attribution, r.segments]);
    expect(liveBufferCount(device)).toBe(before);
  });

  it('with a black box: one readback of the input, no clean forward for a given class, the same anchor', async () => {
    const shapes: number[] = [];
    const counted = {
      predict: (batch: Float32Array, shape: [number, number, number, number]) => (shapes.push(shape[0]), andModel.predict(batch, shape)),
    };
    // Every quadrant bright: class 1. A fresh tensor per run (tfjs keeps values it has read back),
    // made on the GPU (+ 0): randomUniform's values start on the host, where they could be read free.
    const image = () => tf.tidy(() => tf.add(tf.randomUniform([H, W, 1], 0.8, 1, 'float32', 3), 0));
    const options = { method: 'anchors', segments: quads, fill: 0, seed: 4, samplesPerDraw: 30, batchSize: 16 } as const;
    const runs: { calls: number[]; readbacks: number; found: unknown }[] = [];
    for (const target of ['predicted', 1] as const) {
      shapes.length = 0;
      const x = image();
      const reads = vi.spyOn(GPUBuffer.prototype, 'mapAsync');
      const r = await createExplainerFor(anchors, counted, { ...options, target }).explain(x);
      runs.push({ calls: [...shapes], readbacks: reads.mock.calls.length, found: [r.target, r.anchor, r.precision, r.samples] });
      reads.mockRestore();
      tf.dispose([x, r.attribution, r.segments]);
    }
    const [predicted, given] = runs;
    // The input's values, checked for NaN / Inf on the host (was a readback of its own too): the clean
    // scores, the segments' fill and the batches all come from those (was also a readback of the
    // image per model call and one for the argmax).
    expect([predicted!.readbacks, given!.readbacks]).toEqual([1, 1]);
    expect(predicted!.calls[0]).toBe(1);
    expect(given!.calls).toEqual(predicted!.calls.slice(1));
    expect(given!.found).toEqual(predicted!.found);
    expect(given!.found).toEqual([[1], [[0, 3]], [1], [predicted!.calls.slice(1).reduce((a, b) => a + b, 0)]]);
    // A given class is checked against the first batch's scores: named, and nothing is left behind.
    const x = image();
    // Submitting tfjs's pending work releases the buffers of tensors disposed while still queued.
    const memory = () => (flushTfjs(), [tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(tfjsDevice())]);
    const wrong = createExplainerFor(anchors, counted, { ...options, target: 2 });
    await expect(wrong.explain(x)).rejects.toThrow(InvalidOptionError); // also uploads x
    const before = memory();
    await expect(wrong.explain(x)).rejects.toThrow(/target class 2 is out of range: the model has 2 classes/);
    expect(memory()).toEqual(before);
    x.dispose();
  });

  it('with a tfjs model on the GPU path: the input read once with its check, then one readback per draw', async () => {
    const weights = tinyCnnWeights({ height: H, width: W, channels: 1, classes: 3, seed: 5 });
    const counted = countedModel(tinyCnn('sequential', weights));
    // A fresh tensor per run (tfjs keeps values it has read back), made on the GPU (+ 0).
    const image = () => tf.tidy(() => tf.add(tf.randomUniform([1, H, W, 1], 0, 1, 'float32', 3), 0));
    const options = { method: 'anchors', segments: quads, seed: 4, samplesPerDraw: 30, minSamplesStart: 30, target: 0 } as const;
    const run = async (batchSize: number, target: number | 'predicted' = 0) => {
      const explainer = createExplainerFor(anchors, counted.model, { ...options, batchSize, target });
      const warm = image();
      const warmed = await explainer.explain(warm);
      tf.dispose([warm, warmed.attribution, warmed.segments]);
      counted.reset();
      const x = image();
      const { result: r, readbacks } = await countReadbacks(() => explainer.explain(x));
      expect(r.path).toBe('gpu');
      tf.dispose([x, r.attribution, r.segments]);
      return { readbacks, calls: counted.calls, found: [r.target, r.anchor, r.precision, r.coverage, r.samples] };
    };
    // Batches of 64 hold every draw (at most 2 x 30 samples): one model call per draw.
    const whole = await run(64);
    // The image's values (SLIC's range, the fill) carry the NaN / Inf check: it was a readback of its own.
    expect(whole.readbacks).toBe(1 + whole.calls);
    // Batches of 8: four calls per draw of 30, still one readback per draw, the same anchor.
    const split = await run(8);
    expect(split.calls).toBeGreaterThan(2 * whole.calls);
    expect(split.readbacks).toBe(whole.readbacks);
    expect(split.found).toEqual(whole.found);
    // A predicted class: one forward of the clean image more, read back alone.
    const predicted = await run(64, 'predicted');
    const given = await run(64, (predicted.found[0] as number[])[0]);
    expect([predicted.calls, predicted.readbacks]).toEqual([given.calls + 1, given.readbacks + 1]);
    // One NaN pixel, made on the GPU: the host check over the read values still rejects it.
    const explainer = createExplainerFor(anchors, counted.model, options);
    const nan = tf.tidy(() =>
      tf.add(
        tf.tensor4d(
          Float32Array.from({ length: H * W }, (_, p) => (p === 5 ? Number.NaN : 0.5)),
          [1, H, W, 1],
        ),
        0,
      ),
    );
    await expect(explainer.explain(nan)).rejects.toThrow(InvalidInputError);
    await expect(explainer.explain(nan)).rejects.toThrow(/input contains NaN or Inf values/);
    nan.dispose();
    disposeWeights(weights);
  });

  it('built-in SLIC on a 28x28 image: its labels on the host by default (no readback), the same anchor as on the GPU', async () => {
    const [h, w] = [28, 28];
    const weights = tinyCnnWeights({ height: h, width: w, channels: 1, classes: 3, seed: 7 });
    const counted = countedModel(tinyCnn('sequential', weights));
    // Smooth blobs (SLIC on pure noise merges into few segments), made on the GPU (+ 0).
    const blobs = Float32Array.from({ length: h * w }, (_, p) => (Math.sin(Math.floor(p / w) / 4) * Math.cos((p % w) / 5) + 1) / 2);
    const image = () => tf.tidy(() => tf.add(tf.tensor4d(blobs, [1, h, w, 1]), 0));
    const options = { method: 'anchors', seed: 2, samplesPerDraw: 30, minSamplesStart: 30, target: 0 } as const;
    const memory = () => (flushTfjs(), [tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(tfjsDevice())]);
    const run = async (placement?: 'gpu' | 'host') => {
      const segmentation = { method: 'slic', segments: 10, compactness: 10, ...(placement && { placement }) } as const;
      const explainer = createExplainerFor(anchors, counted.model, { ...options, segmentation });
      const warm = image();
      const warmed = await explainer.explain(warm);
      tf.dispose([warm, warmed.attribution, warmed.segments]);
      counted.reset();
      const x = image();
      const before = memory();
      const { result: r, readbacks } = await countReadbacks(() => explainer.explain(x));
      const segments = Array.from(await r.segments.data());
      tf.dispose([r.attribution, r.segments]);
      expect(memory()).toEqual(before);
      x.dispose();
      return { path: r.path, readbacks, calls: counted.calls, segments, found: [r.target, r.anchor, r.precision, r.coverage, r.samples] };
    };
    const [byDefault, host, gpu] = [await run(), await run('host'), await run('gpu')];
    // The input read with its check, one per draw; SLIC's labels readback only when placed on the GPU.
    expect(byDefault.readbacks).toBe(1 + byDefault.calls);
    expect(host.readbacks).toBe(byDefault.readbacks);
    expect(gpu.readbacks).toBe(2 + gpu.calls);
    expect([byDefault.path, host.path, gpu.path]).toEqual(['gpu', 'gpu', 'gpu']);
    expect(host.segments).toEqual(gpu.segments);
    expect(byDefault.segments).toEqual(gpu.segments);
    expect(new Set(gpu.segments).size).toBeGreaterThan(4);
    expect([byDefault.found, host.found]).toEqual([gpu.found, gpu.found]);
    disposeWeights(weights);
  });

  it('NaN scores in a later batch of a draw read back once: ModelError naming them; nothing leaks', async () => {
    const weights = tinyCnnWeights({ height: H, width: W, channels: 1, classes: 3, seed: 5 });
    const network = tinyCnn('sequential', weights);
    let calls = 0;
    const nanFromSecond = (input: tf.Tensor4D) => tf.mul<tf.Tensor2D>(network.predict(input) as tf.Tensor2D, calls++ >= 1 ? Number.NaN : 1);
    const x = tf.tidy(() => tf.add(tf.randomUniform([1, H, W, 1], 0, 1, 'float32', 3), 0));
    const options = { method: 'anchors', segments: quads, seed: 4, target: 0, batchSize: 8 } as const;
    const ok = await createExplainerFor(anchors, (i: tf.Tensor4D) => network.predict(i) as tf.Tensor2D, options).explain(x);
    tf.dispose([ok.attribution, ok.segments]); // warm-up: pooled buffers
    const memory = () => (flushTfjs(), [tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(tfjsDevice())]);
    const before = memory();
    const failure = createExplainerFor(anchors, nanFromSecond, options).explain(x);
    await expect(failure).rejects.toThrow(/the function model returned NaN or Inf scores/);
    expect(calls).toBeGreaterThan(1);
    expect(memory()).toEqual(before);
    x.dispose();
    disposeWeights(weights);
  });
});
