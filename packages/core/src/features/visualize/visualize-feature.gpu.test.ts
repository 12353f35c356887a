// SPDX-License-Identifier: Apache-2.0
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { AbortedError, InvalidOptionError, UnknownLayerError } from '@webxai/shaders';
import { flushTfjs, tfjsUsedBufferCount } from '../../interop/tfjs-webgpu.js';
import { stepTransforms, transformImages } from './transforms.js';
import { visualizeFeature } from './visualize-feature.js';
import { FFT_INTERLEAVED_SCRATCH_FLAG, FFT_WHOLE_SEQUENCES_FLAG, fftStageFusion, scratchLayoutOf } from './fourier-fft.js';

const K = 5; // filter size
const SIZE = 24;

/** Filter taps [dy][dx][c] of the three hand-set channels of `patternModel`. */
function filters(): number[][][][] {
  const edge = (vertical: boolean) =>
    Array.from({ length: K }, (_, dy) =>
      Array.from({ length: K }, (_, dx) => new Array<number>(3).fill(Math.sign((vertical ? dx : dy) - 2) / 3)),
    );
  const colour = Array.from({ length: K }, () => Array.from({ length: K }, () => [1 / 25, -1 / 25, 0]));
  return [edge(true), edge(false), colour];
}

/**
 * A model whose channels respond only to known patterns: 'features' is a 5x5 conv (no bias, ReLU)
 * with channel 0 = a vertical luminance edge (right minus left), 1 = a horizontal edge, 2 = red
 * minus green; then global average pooling and a dense layer.
 */
function patternModel(): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ name: 'features', inputShape: [SIZE, SIZE, 3], filters: 3, kernelSize: K, activation: 'relu', useBias: false }),
      tf.layers.globalAveragePooling2d({ name: 'gap' }),
      tf.layers.dense({ name: 'logits', units: 2, useBias: false }),
    ],
  });
  const f = filters();
  const kernel = tf.tensor4d(
    Array.from({ length: K * K * 3 * 3 }, (_, i) => {
      const [dy, dx, c, k] = [Math.floor(i / (K * 9)), Math.floor(i / 9) % K, Math.floor(i / 3) % 3, i % 3];
      return f[k]![dy]![dx]![c]!;
    }),
    [K, K, 3, 3],
  );
  const dense = tf.tensor2d([1, 0, 0, 1, 1, 1], [3, 2]);
  model.getLayer('features').setWeights([kernel]);
  model.getLayer('logits').setWeights([dense]);
  tf.dispose([kernel, dense]);
  return model;
}

/** Pearson correlation of a filter with the image patch at (y, x) (top-left), over all taps. */
function patchCorrelation(image: Float32Array, filter: number[][][], y: number, x: number): number {
  const a: number[] = [];
  const b: number[] = [];
  for (let dy = 0; dy < K; dy++)
    for (let dx = 0; dx < K; dx++)
      for (let c = 0; c < 3; c++) {
        a.push(filter[dy]![dx]![c]!);
        b.push(image[((y + dy) * SIZE + x + dx) * 3 + c]!);
      }
  const mean = (v: number[]) => v.reduce((s, t) => s + t, 0) / v.length;
  const [ma, mb] = [mean(a), mean(b)];
  const cov = a.reduce((s, v, i) => s + (v - ma) * (b[i]! - mb), 0);
  const norm = Math.sqrt(a.reduce((s, v) => s + (v - ma) ** 2, 0) * b.reduce((s, v) => s + (v - mb) ** 2, 0));
  return cov / norm;
}

/**
 * Mean filter-patch correlation over the tenth of positions where the filter responds most: where
 * the unit fires, the image looks like its filter (a random image gives about 0.4 here).
 */
function topCorrelation(image: Float32Array, filter: number[][][]): number {
  const all: { response: number; correlation: number }[] = [];
  for (let y = 0; y + K <= SIZE; y++) {
    for (let x = 0; x + K <= SIZE; x++) {
      let response = 0;
      for (let dy = 0; dy < K; dy++)
        for (let dx = 0; dx < K; dx++)
          for (let c = 0; c < 3; c++) response += filter[dy]![dx]![c]! * image[((y + dy) * SIZE + x + dx) * 3 + c]!;
      all.push({ response, correlation: patchCorrelation(image, filter, y, x) });
    }
  }
  all.sort((p, q) => q.response - p.response);
  const top = all.slice(0, Math.ceil(all.length / 10));
  return top.reduce((s, t) => s + t.correlation, 0) / top.length;
}

/** Energy of horizontal over vertical neighbour differences of image k: > 1 for vertical stripes. */
function orientation(image: Float32Array): number {
  let [ex, ey] = [0, 0];
  for (let y = 0; y + 1 < SIZE; y++) {
    for (let x = 0; x + 1 < SIZE; x++) {
      for (let c = 0; c < 3; c++) {
        const i = (y * SIZE + x) * 3 + c;
        ex += (image[i + 3]! - image[i]!) ** 2;
        ey += (image[i + SIZE * 3]! - image[i]!) ** 2;
      }
    }
  }
  return ex / ey;
}

describe('visualizeFeature', () => {
  beforeAll(async () => {
    await tf.setBackend('webgpu');
  });

  it('raises each pattern channel >= 10x over its random start, and the image shows the pattern', async () => {
    const model = patternModel();
    const start = await visualizeFeature(model, { layer: 'features', channels: [0, 1, 2], steps: 0, seed: 3 });
    const result = await visualizeFeature(model, { layer: 'features', channels: [0, 1, 2], steps: 96, seed: 3 });
    expect(result.path).toBe('gpu');
    expect(result.images.shape).toEqual([3, SIZE, SIZE, 3]);
    expect(result.objective).toHaveLength(96);
    for (let k = 0; k < 3; k++) {
      expect(result.finalObjective[k]!, `channel ${k}`).toBeGreaterThan(10 * Math.max(start.finalObjective[k]!, 1e-3));
    }
    const pixels = (await result.images.data()) as Float32Array;
    const image = (k: number) => pixels.slice(k * SIZE * SIZE * 3, (k + 1) * SIZE * SIZE * 3);
    const f = filters();
    // Edge channels: where the unit fires the image is its filter, and the image's stripes run its way.
    const random = Float32Array.from({ length: SIZE * SIZE * 3 }, (_, i) => ((i * 7919) % 101) / 101);
    for (const k of [0, 1]) {
      expect(topCorrelation(image(k), f[k]!), `channel ${k}`).toBeGreaterThan(0.8);
      expect(topCorrelation(random, f[k]!), `random, channel ${k}`).toBeLessThan(0.7);
    }
    expect(orientation(image(0))).toBeGreaterThan(2);
    expect(orientation(image(1))).toBeLessThan(0.5);
    // Colour channel: red up, green down everywhere on average.
    const colour = image(2);
    // Colour channel: the image's mean colour (about grey) leans the filter's way, red up and green
    // down. (Colour decorrelation makes red-vs-green a slow direction: natural images rarely vary so.)
    const lean = [0, 1, 2].map((c) => colour.filter((_, i) => i % 3 === c).reduce((s, v) => s + v - 0.5, 0) / (SIZE * SIZE));
    const redder =
      Array.from({ length: SIZE * SIZE }, (_, p) => colour[p * 3]! > colour[p * 3 + 1]!).filter(Boolean).length / (SIZE * SIZE);
    expect(lean[0]! - lean[1]!).toBeGreaterThan(0.1);
    expect(redder).toBeGreaterThan(0.6);
    tf.dispose([start.images, result.images]);
  });

  it('seeded runs repeat exactly; another seed differs; progress reports partial images', async () => {
    const model = patternModel();
    const reports: { done: number; shape: number[]; objective: number[] }[] = [];
    const options = { layer: 'features', channels: [0, 2], steps: 6, seed: 11 } as const;
    const a = await visualizeFeature(model, {
      ...options,
      progressEvery: 4,
      onProgress: (p) => reports.push({ done: p.done, shape: p.images.shape, objective: p.objective }),
    });
    const b = await visualizeFeature(model, options);
    const c = await visualizeFeature(model, { ...options, seed: 12 });
    expect(Array.from(await a.images.data())).toEqual(Array.from(await b.images.data()));
    expect(a.objective).toEqual(b.objective);
    expect(Array.from(await a.images.data())).not.toEqual(Array.from(await c.images.data()));
    expect(reports.map((r) => r.done)).toEqual([4, 6]);
    expect(reports[0]!.shape).toEqual([2, SIZE, SIZE, 3]);
    expect(reports[1]!.objective).toEqual(a.objective[5]);
    tf.dispose([a.images, b.images, c.images]);
  });

  it("interleaved scratch between the FFTs (lavapipe's default) gives planar scratch's and fft-pair's images and objectives, bit for bit", async () => {
    const model = patternModel();
    const options = { layer: 'features', channels: [0, 2], steps: 6, seed: 11 } as const;
    const shape = { images: 2, channels: 3, height: SIZE, width: SIZE, factor: 1, mix: [] } as const;
    expect(scratchLayoutOf(shape, fftStageFusion())).toBe('interleaved');
    const run = async (flags: Record<string, boolean>) => {
      const before = Object.fromEntries(Object.keys(flags).map((flag) => [flag, tf.env().getBool(flag)]));
      tf.env().setFlags(flags);
      try {
        const result = await visualizeFeature(model, options);
        const images = new Uint32Array((await result.images.data()).buffer);
        result.images.dispose();
        return { images: Array.from(images), objective: result.objective };
      } finally {
        tf.env().setFlags(before);
      }
    };
    const interleaved = await run({});
    for (const flags of [{ [FFT_INTERLEAVED_SCRATCH_FLAG]: false }, { [FFT_WHOLE_SEQUENCES_FLAG]: false }]) {
      const other = await run(flags);
      expect(other.images, JSON.stringify(flags)).toEqual(interleaved.images);
      expect(other.objective, JSON.stringify(flags)).toEqual(interleaved.objective);
    }
  });

  it('webgpu and cpu agree for a few steps, and nothing leaks', async () => {
    const options = { layer: 'features', channels: [0, 1], steps: 3, seed: 5, tv: 0.1, l2: 0.1 } as const;
    await tf.setBackend('cpu');
    const cpu = await visualizeFeature(patternModel(), options);
    expect(cpu.path).toBe('cpu');
    const want = Array.from(await cpu.images.data());
    cpu.images.dispose();
    await tf.setBackend('webgpu');
    const model = patternModel();
    const gpu = await visualizeFeature(model, options);
    expect(Array.from(await gpu.images.data())).toBeAllClose(want, { abs: 1e-4, rel: 1e-4 });
    expect(gpu.objective.flat()).toBeAllClose(cpu.objective.flat(), { abs: 1e-4, rel: 1e-3 });
    gpu.images.dispose();
    const variants = async () => {
      for (const parametrisation of ['fourier', 'pixel'] as const) {
        (
          await visualizeFeature(model, { layer: 'features', neuron: { channel: 1 }, steps: 2, parametrisation, tv: 0.1, l2: 0.1 })
        ).images.dispose();
      }
      (await visualizeFeature(model, { classIndex: [0, 1], steps: 2 })).images.dispose();
      flushTfjs(); // buffers of tensors disposed mid-encoder return to tfjs's pool at its next submit
    };
    await variants(); // the first class run uploads the dense layer's weights: not a leak
    const tensors = tf.memory().numTensors;
    const buffers = tfjsUsedBufferCount();
    await variants();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tfjsUsedBufferCount()).toBe(buffers);
  });

  it('webgpu (one submit before and one after the model pass) and cpu agree without penalties, both parametrisations', async () => {
    for (const parametrisation of ['fourier', 'pixel'] as const) {
      const options = { layer: 'features', channels: [0, 2], steps: 3, seed: 7, parametrisation } as const;
      await tf.setBackend('cpu');
      const cpu = await visualizeFeature(patternModel(), options);
      const want = Array.from(await cpu.images.data());
      cpu.images.dispose();
      await tf.setBackend('webgpu');
      const gpu = await visualizeFeature(patternModel(), options);
      expect(gpu.path).toBe('gpu');
      expect(Array.from(await gpu.images.data())).toBeAllClose(want, { abs: 1e-4, rel: 1e-4 });
      expect(gpu.objective.flat()).toBeAllClose(cpu.objective.flat(), { abs: 1e-4, rel: 1e-3 });
      expect(gpu.finalObjective).toBeAllClose(cpu.finalObjective, { abs: 1e-4, rel: 1e-3 });
      gpu.images.dispose();
    }
  });

  it("reads the steps' objectives with the final one (one readback) as a run that reads them every step, leaking nothing", async () => {
    const model = patternModel();
    const options = { layer: 'features', channels: [0, 1], steps: 3, seed: 5 } as const;
    const perStep = await visualizeFeature(model, { ...options, progressEvery: 1, onProgress: () => undefined });
    perStep.images.dispose();
    flushTfjs();
    const [tensors, buffers] = [tf.memory().numTensors, tfjsUsedBufferCount()];
    const joint = await visualizeFeature(model, options);
    joint.images.dispose();
    const none = await visualizeFeature(model, { ...options, steps: 0 });
    none.images.dispose();
    flushTfjs();
    expect(joint.objective).toEqual(perStep.objective);
    expect(joint.objective.map((row) => row.length)).toEqual([2, 2, 2]);
    expect(joint.finalObjective).toEqual(perStep.finalObjective);
    expect(none.objective).toEqual([]);
    expect(none.finalObjective).toHaveLength(2);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tfjsUsedBufferCount()).toBe(buffers);
  });

  it("at the model's size the untransformed view of the final images is a bit-exact copy (evaluate skips it)", async () => {
    const result = await visualizeFeature(patternModel(), { layer: 'features', channels: [0, 1], steps: 2, seed: 3 });
    const maps = stepTransforms(false, 0, 0, 2, [SIZE, SIZE], [SIZE, SIZE]);
    const bits = async (t: tf.Tensor) => new Uint32Array((await t.data()).buffer);
    for (const path of ['gpu', 'cpu'] as const) {
      const seen = await transformImages(result.images, maps, [SIZE, SIZE], path);
      expect(await bits(seen), path).toEqual(await bits(result.images));
      seen.dispose();
    }
    result.images.dispose();
  });

  it('cancels between steps without leaking', async () => {
    const model = patternModel();
    const tensors = tf.memory().numTensors;
    const controller = new AbortController();
    const run = visualizeFeature(model, {
      layer: 'features',
      channel: 0,
      steps: 50,
      progressEvery: 2,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(run).rejects.toThrow(AbortedError);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it("cancels with a step's ascent batch still unsubmitted (PendingAscent) without leaking", async () => {
    const model = patternModel();
    (await visualizeFeature(model, { layer: 'features', channel: 0, steps: 1 })).images.dispose(); // the model's weights go up
    flushTfjs();
    const [tensors, buffers] = [tf.memory().numTensors, tfjsUsedBufferCount()];
    const controller = new AbortController();
    let passes = 0;
    const run = visualizeFeature(model, {
      layer: 'features',
      channel: 0,
      steps: 50,
      signal: controller.signal,
      // Inside step 3's model pass: its ascent is recorded after, and the check before step 4 throws.
      preprocess: (x) => {
        if (++passes === 3) controller.abort();
        return x;
      },
    });
    await expect(run).rejects.toThrow(AbortedError);
    expect(passes).toBe(3);
    flushTfjs();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tfjsUsedBufferCount()).toBe(buffers);
  });

  it('a bad layer, channel, neuron or class gets a typed error naming the valid range', async () => {
    const model = patternModel();
    const missing = await visualizeFeature(model, { layer: 'conv9', channel: 0 }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(UnknownLayerError);
    expect((missing as UnknownLayerError).candidates).toEqual(['features']);
    await expect(visualizeFeature(model, { layer: 'features', channel: 3 })).rejects.toThrow(
      /channel 3 is out of range: layer 'features' has 3 channels \(valid: 0..2\)/,
    );
    await expect(visualizeFeature(model, { layer: 'features', channels: [1, -1] })).rejects.toThrow(InvalidOptionError);
    await expect(visualizeFeature(model, { layer: 'features', channel: 0, step: 8 } as never)).rejects.toThrow(
      /visualizeFeature: unknown option 'step' \(did you mean 'steps'\?\)/,
    );
    await expect(visualizeFeature(model, { layer: 'features', neuron: { channel: 0, y: 20 } })).rejects.toThrow(
      /neuron y 20 is out of range.*valid: 0..19/,
    );
    await expect(visualizeFeature(model, { classIndex: 2 })).rejects.toThrow(
      /classIndex 2 is out of range: the model has 2 classes \(valid: 0..1\)/,
    );
    await expect(visualizeFeature(model, { layer: 'features' })).rejects.toThrow(/exactly one of channel, channels, neuron or classIndex/);
    await expect(visualizeFeature(model, { layer: 'features', channel: 0, steps: 1.5 })).rejects.toThrow(/steps must be an integer >= 0/);
  });
});
