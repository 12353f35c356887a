// SPDX-License-Identifier: Apache-2.0
import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { countReadbacks } from '@webxai/testing';
import { linearModel } from '@webxai/testing/models';
import {
  InvalidInputError,
  InvalidOptionError,
  liveBufferCount,
  ModelError,
  resizeBilinearRef,
  UnsupportedModelError,
} from '@webxai/shaders';
import { createExplainerFor } from '../../api/explainer.js';
import { tfjsDevice, tfjsUsedBufferCount } from '../../interop/tfjs-webgpu.js';
import { candidateMemory, candidatesOf, segmentationInput, xrai } from './xrai.js';
import { dilate, xraiRegions } from './xrai-regions.js';
import { ScratchArrays } from '../../segment/scratch-arrays.js';

describe('xrai regions', () => {
  it('greedily takes the densest region, then the densest remainder (hand-computed)', () => {
    const attr = Float64Array.from([5, 5, 1, 1, 0, 0]);
    const masks = [Int32Array.of(0, 1, 2, 3), Int32Array.of(0, 1), Int32Array.of(4, 5)];
    const r = xraiRegions(attr, masks, 1, 1);
    expect(Array.from(r.attribution)).toEqual([5, 5, 1, 1, 0, 0]);
    expect(Array.from(r.ranks)).toEqual([1, 1, 2, 2, 3, 3]);
  });
  it('drops regions adding too few pixels and gives the leftover its mean', () => {
    const attr = Float64Array.from([4, 2, 3, 1]);
    const r = xraiRegions(attr, [Int32Array.of(0, 1), Int32Array.of(1, 2)], 1, 2);
    // {0,1} (gain 3) first; {1,2} then adds only pixel 2 (< 2 pixels): dropped; leftover {2,3} = 2.
    expect(Array.from(r.attribution)).toEqual([3, 3, 2, 2]);
    expect(Array.from(r.ranks)).toEqual([1, 1, 2, 2]);
  });
  it('dilates with a disk', () => {
    expect(Array.from(dilate(Int32Array.of(12), 5, 5, 1))).toEqual([7, 11, 12, 13, 17]);
    expect(dilate(Int32Array.of(12), 5, 5, 2).length).toBe(13);
  });
  /** skimage.morphology.binary_dilation(mask, disk(radius)) by definition: every mask pixel stamps its whole disk. */
  function bruteForceDilate(mask: Int32Array, height: number, width: number, radius: number): number[] {
    const marked = new Uint8Array(height * width);
    for (const p of mask) {
      const [y, x] = [Math.floor(p / width), p % width];
      for (let dy = -radius; dy <= radius; dy++)
        for (let dx = -radius; dx <= radius; dx++) {
          const [yy, xx] = [y + dy, x + dx];
          if (dy * dy + dx * dx <= radius * radius && yy >= 0 && yy < height && xx >= 0 && xx < width) marked[yy * width + xx] = 1;
        }
    }
    return Array.from(marked.keys()).filter((q) => marked[q]);
  }

  it('dilates any pixel set as binary dilation by a disk does (sorted; rows of one word and of several)', () => {
    let seed = 5;
    const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    for (const [h, w] of [
      [23, 31],
      [28, 28],
      [7, 5],
      [9, 70],
      [12, 96],
    ] as const) {
      for (const radius of [1, 3, 5, 40])
        for (const density of [0, 0.02, 0.3, 0.9]) {
          const mask = Int32Array.from({ length: h * w }, (_, p) => p).filter(() => next() < density);
          const want = bruteForceDilate(mask, h, w, radius);
          expect({ h, w, radius, density, pixels: Array.from(dilate(mask, h, w, radius)) }).toEqual({
            h,
            w,
            radius,
            density,
            pixels: want,
          });
        }
    }
  });
  it('dilates compact regions anywhere in wide rows as the brute force does (the words of a row beyond the region untouched)', () => {
    let seed = 11;
    const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    const [h, w] = [40, 224];
    // Blobs at the left and right edges, across word boundaries (x = 31 / 32, 63 / 64) and inside one word.
    for (const [x0, x1] of [
      [0, 3],
      [28, 35],
      [60, 66],
      [100, 104],
      [190, 223],
      [221, 223],
    ] as const) {
      for (const radius of [1, 5, 33]) {
        const mask = Int32Array.from({ length: h * w }, (_, p) => p).filter((p) => {
          const x = p % w;
          return x >= x0 && x <= x1 && Math.floor(p / w) >= 10 && Math.floor(p / w) < 30 && next() < 0.4;
        });
        expect({ x0, x1, radius, pixels: Array.from(dilate(mask, h, w, radius)) }).toEqual({
          x0,
          x1,
          radius,
          pixels: bruteForceDilate(mask, h, w, radius),
        });
      }
    }
  });

  it('scales to [-1, 1] and resizes to 224 on the host, keeping flat areas exactly flat', () => {
    // 2 x 4 grey image: left half 0.2, right half 0.6 -> -1 and 1; half-pixel bilinear blends only
    // the 2 x 56 output columns around the border (a ramp); everything else stays exactly +-1.
    const raw = Float32Array.from([0.2, 0.2, 0.6, 0.6, 0.2, 0.2, 0.6, 0.6]);
    const out = segmentationInput(raw, 2, 4, 1);
    expect(out.length).toBe(224 * 224);
    const row = Array.from(out.subarray(100 * 224, 101 * 224));
    expect(row.slice(0, 84).every((v) => v === -1)).toBe(true);
    expect(row.slice(140).every((v) => v === 1)).toBe(true);
    expect(row[111]! + row[112]!).toBeCloseTo(0, 12); // symmetric ramp around the centre
    expect(Array.from(out.subarray(0, 224))).toEqual(row); // every row equal
  });
  it("scales and resizes as resizeBilinearRef of each scaled channel, bit for bit (grey, RGB; 224 kept as is); scratch's views the same", () => {
    for (const [h, w, c] of [
      [28, 28, 1],
      [17, 301, 3],
      [224, 224, 3],
    ] as const) {
      const raw = Float32Array.from({ length: h * w * c }, (_, i) => Math.sin(i * 0.37) * 3 + ((i * 7) % 5));
      const [min, max] = [raw.reduce((a, b) => Math.min(a, b)), raw.reduce((a, b) => Math.max(a, b))];
      const want = new Float64Array(224 * 224 * c);
      for (let ch = 0; ch < c; ch++) {
        const plane = Float64Array.from({ length: h * w }, (_, p) => ((raw[p * c + ch]! - min) / (max - min)) * 2 - 1);
        const resized = h === 224 && w === 224 ? plane : resizeBilinearRef(plane, h, w, 224, 224);
        resized.forEach((v, p) => (want[p * c + ch] = v));
      }
      const bits = (values: Float64Array) => new BigUint64Array(values.buffer, values.byteOffset, values.length);
      for (const got of [segmentationInput(raw, h, w, c), segmentationInput(raw, h, w, c, new ScratchArrays())]) {
        expect(got.length).toBe(want.length);
        expect(bits(got).every((b, i) => b === bits(want)[i])).toBe(true);
      }
    }
  });
});

describe('xrai', () => {
  beforeAll(() => tf.setBackend('webgpu'));

  it('ranks regions by IG density on a linear model; covers the image; no leaks', async () => {
    const [H, W] = [32, 32];
    const { model } = linearModel({ height: H, width: W, channels: 3, classes: 2, seed: 3 });
    const x = tf.randomUniform([H, W, 3], 0, 1, 'float32', 5);
    const ex = createExplainerFor(xrai, model, {
      method: 'xrai',
      integratedGradients: { steps: 8 },
      scales: [100, 500],
      minPixelDiff: 10,
      target: 1,
    });
    const warm = await ex.explain(x);
    tf.dispose([warm.attribution, warm.ranks]);
    const device = tfjsDevice();
    const before = [tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(device)];
    const r = await ex.explain(x);
    const a = await r.attribution.data();
    const ranks = await r.ranks.data();
    expect(ranks.every((k) => k >= 1)).toBe(true);
    // Regions are taken in decreasing gain: the attribution never increases with the rank.
    const gainOfRank = new Map<number, number>();
    ranks.forEach((k, p) => gainOfRank.set(k, a[p]!));
    const ordered = [...gainOfRank.entries()].sort((p, q) => p[0] - q[0]).map(([, g]) => g);
    for (let i = 1; i < ordered.length - 1; i++) expect(ordered[i]!).toBeLessThanOrEqual(ordered[i - 1]!);
    tf.dispose([r.attribution, r.ranks]);
    expect([tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(device)]).toEqual(before);
    ex.dispose();
    x.dispose();
  });

  it('two images segmented at once with one memory each get their own regions (the kept graph and label maps are lent to one at a time)', async () => {
    // 224 x 224: the label maps are the image's own, kept across the scales' awaits like the graph.
    const images = [7, 8].map((seed) =>
      Float32Array.from({ length: 224 * 224 * 3 }, (_, i) => Math.sin(i * 0.001 * seed) + ((i * seed) % 17) / 17),
    );
    const options = { scales: [100, 500, 1200], dilation: 5 };
    const alone = await Promise.all(images.map((x) => candidatesOf(x, 224, 224, 3, options, candidateMemory())));
    expect(alone[0]).not.toEqual(alone[1]);
    const memory = candidateMemory();
    // The second starts while the first awaits between its scales.
    expect(await Promise.all(images.map((x) => candidatesOf(x, 224, 224, 3, options, memory)))).toEqual(alone);
    // Then one after the other, the kept arrays reused.
    for (const [i, x] of images.entries()) expect(await candidatesOf(x, 224, 224, 3, options, memory)).toEqual(alone[i]);
  });

  /** An input resident on the GPU only (tfjs keeps the values of a tensor it has read back or uploaded from an array). */
  const onGpu = (values: Float32Array, shape: [number, number, number]) =>
    tf.tidy(() => tf.add<tf.Tensor3D>(tf.tensor3d(values, shape), 0));

  it('checks the input for NaN/Inf over the values it reads back: one readback fewer than a check of its own, same result', async () => {
    const [H, W] = [16, 16];
    const { model } = linearModel({ height: H, width: W, channels: 3, classes: 3, seed: 4 });
    const values = Float32Array.from({ length: H * W * 3 }, (_, i) => ((i * 37) % 101) / 100);
    const options = { method: 'xrai', integratedGradients: { steps: 4 }, scales: [100, 500], minPixelDiff: 10 } as const;
    const run = async (definition: typeof xrai) => {
      const ex = createExplainerFor(definition, model, options);
      const x = onGpu(values, [H, W, 3]);
      try {
        const { result, readbacks } = await countReadbacks(() => ex.explain(x));
        const out = { readbacks, attribution: Array.from(await result.attribution.data()), ranks: Array.from(await result.ranks.data()) };
        tf.dispose([result.attribution, result.ranks]);
        return out;
      } finally {
        ex.dispose();
        x.dispose();
      }
    };
    await run(xrai); // warm-up
    const own = await run({ ...xrai, defersInputCheck: false });
    const deferred = await run(xrai);
    expect(deferred.readbacks).toBe(own.readbacks - 1);
    expect(deferred.attribution).toEqual(own.attribution);
    expect(deferred.ranks).toEqual(own.ranks);
  });

  it('a NaN or Inf input -> InvalidInputError; nothing leaks', async () => {
    const [H, W] = [16, 16];
    const { model } = linearModel({ height: H, width: W, channels: 3, classes: 3, seed: 4 });
    const ex = createExplainerFor(xrai, model, { method: 'xrai', integratedGradients: { steps: 4 }, scales: [100] });
    const good = onGpu(new Float32Array(H * W * 3).fill(0.5), [H, W, 3]);
    tf.dispose(Object.values(await ex.explain(good)).filter((v) => v instanceof tf.Tensor)); // warm-up: pooled buffers
    const device = tfjsDevice();
    const before = [tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(device)];
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const x = onGpu(
        Float32Array.from({ length: H * W * 3 }, (_, i) => (i === 101 ? bad : 0.5)),
        [H, W, 3],
      );
      await expect(ex.explain(x)).rejects.toThrow(InvalidInputError);
      x.dispose();
    }
    expect([tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(device)]).toEqual(before);
    good.dispose();
    ex.dispose();
  });

  /** The readbacks (GPUBuffer.mapAsync calls) of one explanation: all of them, and those made before IG queued its first batch. */
  async function readbacksAroundIg<T>(
    explain: (onProgress: () => void) => Promise<T>,
  ): Promise<{ result: T; beforeIg: number; total: number }> {
    const spy = vi.spyOn(GPUBuffer.prototype, 'mapAsync');
    try {
      let beforeIg: number | undefined;
      const result = await explain(() => (beforeIg ??= spy.mock.calls.length));
      return { result, beforeIg: beforeIg!, total: spy.mock.calls.length };
    } finally {
      spy.mockRestore();
    }
  }

  it('a numeric target: the class check is not read back before IG (one readback fewer there), the same readbacks in all, the same result', async () => {
    const [H, W] = [16, 16];
    const { model } = linearModel({ height: H, width: W, channels: 3, classes: 3, seed: 4 });
    const values = Float32Array.from({ length: H * W * 3 }, (_, i) => ((i * 37) % 101) / 100);
    const run = async (target: number | 'predicted') => {
      const ex = createExplainerFor(xrai, model, {
        method: 'xrai',
        integratedGradients: { steps: 4 },
        scales: [100, 500],
        minPixelDiff: 10,
        target,
      });
      const x = onGpu(values, [H, W, 3]);
      try {
        const { result, beforeIg, total } = await readbacksAroundIg((onProgress) => ex.explain(x, { onProgress }));
        const out = {
          beforeIg,
          total,
          target: result.target,
          attribution: Array.from(await result.attribution.data()),
          ranks: Array.from(await result.ranks.data()),
        };
        tf.dispose([result.attribution, result.ranks]);
        return out;
      } finally {
        ex.dispose();
        x.dispose();
      }
    };
    await run('predicted'); // warm-up
    const predicted = await run('predicted');
    const given = await run(predicted.target[0]!);
    // 'predicted' reads the input and the scores (for the argmax) before IG; a given class only the input.
    expect([predicted.beforeIg, given.beforeIg]).toEqual([2, 1]);
    // The scores still come back (checked for NaN / Inf), with the attributions.
    expect(given.total).toBe(predicted.total);
    expect(given.target).toEqual(predicted.target);
    expect(given.attribution).toEqual(predicted.attribution);
    expect(given.ranks).toEqual(predicted.ranks);
  });

  describe('class check errors, typed; nothing leaks', () => {
    const [H, W] = [16, 16];
    let linear: tf.LayersModel; // made once the webgpu backend is set (beforeAll)
    beforeAll(() => void (linear = linearModel({ height: H, width: W, channels: 3, classes: 3, seed: 4 }).model));
    /** The linear model's scores times `factor` (NaN: every score NaN, and so every gradient). */
    const scaled = (factor: number) => (x: tf.Tensor4D) => tf.mul<tf.Tensor2D>(linear.apply(x) as tf.Tensor2D, factor);
    const options = { method: 'xrai', integratedGradients: { steps: 4 }, scales: [100] } as const;

    /** How `explain` fails on a GPU-resident input (`bad` puts a NaN in it), with tensors and buffers compared before and after. */
    async function failure(forward: (x: tf.Tensor4D) => tf.Tensor2D, target: number | 'predicted', bad = false): Promise<unknown> {
      const ex = createExplainerFor(xrai, forward, { ...options, target: 0 });
      const good = onGpu(new Float32Array(H * W * 3).fill(0.5), [H, W, 3]);
      // Warm-up with a model that works: pooled buffers, compiled pipelines.
      const warm = createExplainerFor(xrai, scaled(1), { ...options, target: 0 });
      tf.dispose(Object.values(await warm.explain(good)).filter((v) => v instanceof tf.Tensor));
      warm.dispose();
      const device = tfjsDevice();
      const before = [tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(device)];
      const x = onGpu(
        Float32Array.from({ length: H * W * 3 }, (_, i) => (bad && i === 101 ? Number.NaN : 0.5)),
        [H, W, 3],
      );
      const error = await ex.explain(x, { target }).then(
        () => undefined,
        (e: unknown) => e,
      );
      x.dispose();
      expect([tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(device)]).toEqual(before);
      good.dispose();
      ex.dispose();
      return error;
    }

    it('NaN scores -> ModelError, with a numeric target (read after IG) as with predicted', async () => {
      for (const target of [1, 'predicted'] as const) {
        const error = await failure(scaled(Number.NaN), target);
        expect(error).toBeInstanceOf(ModelError);
        expect((error as Error).message).toMatch(/the function model returned NaN or Inf scores/);
      }
    });

    it('an out-of-range numeric target -> InvalidOptionError before IG runs', async () => {
      const error = await failure(scaled(1), 3);
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as Error).message).toMatch(/target class 3 is out of range: the model has 3 classes/);
    });

    it('an out-of-range numeric target with NaN scores reports the target (the order of integrated gradients)', async () => {
      // Until session 34 the class check read the scores first and reported them (ModelError).
      expect(await failure(scaled(Number.NaN), 3)).toBeInstanceOf(InvalidOptionError);
    });

    it('a NaN input still wins over an out-of-range target and NaN scores', async () => {
      expect(await failure(scaled(1), 3, true)).toBeInstanceOf(InvalidInputError);
      expect(await failure(scaled(Number.NaN), 3, true)).toBeInstanceOf(InvalidInputError);
    });
  });

  it('needs gradients', () => {
    expect(() => createExplainerFor(xrai, { predict: () => Promise.resolve(new Float32Array(2)) }, { method: 'xrai' })).toThrow(
      UnsupportedModelError,
    );
  });
});
