// SPDX-License-Identifier: Apache-2.0
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { seededF32 } from '@webxai/testing';
import { InvalidInputError, InvalidOptionError, liveBufferCount, ShapeMismatchError } from '@webxai/shaders';
import { tfjsDevice, tfjsUsedBufferCount } from '../interop/tfjs-webgpu.js';
import { enforceConnectivity } from './connectivity.js';
import { segment, segmentImage, type SegmentOptions, type SlicPlacement } from './segment.js';
import { SLIC_HOST_MAX_PIXELS } from './slic-placement.js';

/** Quadrants of four colours plus seeded noise, values in [0, 255]. */
function quadrants(height: number, width: number, seed: number, noise = 6): Float32Array {
  const colours = [
    [200, 40, 40],
    [40, 180, 60],
    [30, 60, 200],
    [220, 220, 60],
  ];
  const n = seededF32(height * width * 3, seed, -noise, noise);
  const out = new Float32Array(height * width * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const q = (y < height / 2 ? 0 : 2) + (x < width * 0.4 ? 0 : 1);
      for (let c = 0; c < 3; c++) out[(y * width + x) * 3 + c] = Math.min(255, Math.max(0, colours[q]![c]! + n[(y * width + x) * 3 + c]!));
    }
  return out;
}

/** Number of 4-connected components of each label, as a map label -> components. */
function components(labels: Int32Array, height: number, width: number): Map<number, number> {
  const { labels: relabelled } = enforceConnectivity(labels, height, width, 0);
  const counts = new Map<number, Set<number>>();
  labels.forEach((l, i) => {
    if (!counts.has(l)) counts.set(l, new Set());
    counts.get(l)!.add(relabelled[i]!);
  });
  return new Map([...counts].map(([l, s]) => [l, s.size]));
}

/** True when no segment crosses the quadrant boundaries. */
function respectsQuadrants(labels: Int32Array, height: number, width: number): boolean {
  const owner = new Map<number, number>();
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const q = (y < height / 2 ? 0 : 2) + (x < width * 0.4 ? 0 : 1);
      const l = labels[y * width + x]!;
      if ((owner.get(l) ?? q) !== q) return false;
      owner.set(l, q);
    }
  return true;
}

describe('segment', () => {
  beforeAll(() => tf.setBackend('webgpu'));
  afterEach(() => tf.setBackend('webgpu'));

  it('SLIC: connected labels, identical on the GPU and CPU paths, following the image', async () => {
    const [h, w] = [120, 150];
    const values = quadrants(h, w, 1);
    const gpuImage = tf.tensor3d(values, [h, w, 3]);
    const device = tfjsDevice();
    const gpu = await segment(gpuImage, { method: 'slic', segments: 60, compactness: 10 }); // warm-up
    const before = [tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(device)];
    const again = await segment(gpuImage, { method: 'slic', segments: 60, compactness: 10 });
    expect([tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(device)]).toEqual(before);
    expect(again.labels).toEqual(gpu.labels);
    expect(gpu.path).toBe('gpu');
    await tf.setBackend('cpu');
    const cpuImage = tf.tensor3d(values, [h, w, 3]);
    const cpu = await segment(cpuImage, { method: 'slic', segments: 60, compactness: 10 });
    expect(cpu.path).toBe('cpu');
    expect(Array.from(cpu.labels)).toEqual(Array.from(gpu.labels));
    expect(gpu.count).toBeGreaterThan(30);
    expect(gpu.count).toBeLessThan(90);
    expect(Math.max(...gpu.labels)).toBe(gpu.count - 1);
    for (const [, n] of components(gpu.labels, h, w)) expect(n).toBe(1);
    expect(respectsQuadrants(gpu.labels, h, w)).toBe(true);
    tf.dispose([gpuImage, cpuImage]);
  });

  it("SLIC's placement: the same labels on the GPU and the host on both sides of 'auto''s threshold; no leaks", async () => {
    const device = tfjsDevice();
    const memory = () => [tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(device)];
    // The largest 'auto' still places on the host, and one row more.
    const side = Math.floor(Math.sqrt(SLIC_HOST_MAX_PIXELS));
    const sizes: [number, number, 'gpu' | 'cpu'][] = [
      [28, 28, 'cpu'],
      [side, Math.floor(SLIC_HOST_MAX_PIXELS / side), 'cpu'],
      [side + 1, Math.floor(SLIC_HOST_MAX_PIXELS / side), 'gpu'],
      [64, 80, 'gpu'],
    ];
    for (const [h, w, auto] of sizes) {
      for (const segments of [10, 50]) {
        const image = tf.tensor3d(quadrants(h, w, 7 + h), [h, w, 3]);
        const run = (placement: SlicPlacement) => segment(image, { method: 'slic', segments, placement });
        await run('gpu'); // warm-up: pipelines
        const before = memory();
        const [gpu, host, byDefault] = [await run('gpu'), await run('host'), await segment(image, { method: 'slic', segments })];
        expect(memory()).toEqual(before);
        expect([gpu.path, host.path, byDefault.path]).toEqual(['gpu', 'cpu', auto]);
        expect([host.count, byDefault.count]).toEqual([gpu.count, gpu.count]);
        expect({ h, w, segments, labels: Array.from(host.labels) }).toEqual({ h, w, segments, labels: Array.from(gpu.labels) });
        expect(Array.from(byDefault.labels)).toEqual(Array.from(gpu.labels));
        image.dispose();
      }
    }
  });

  it("SLIC's placement moves no work on the CPU backend and is checked", async () => {
    const values = quadrants(20, 24, 11);
    const gpuImage = tf.tensor3d(values, [20, 24, 3]);
    const gpu = await segment(gpuImage, { method: 'slic', segments: 12, placement: 'gpu' });
    gpuImage.dispose();
    expect(gpu.path).toBe('gpu');
    await tf.setBackend('cpu');
    const image = tf.tensor3d(values, [20, 24, 3]);
    const cpu = await segment(image, { method: 'slic', segments: 12, placement: 'gpu' });
    expect(cpu.path).toBe('cpu');
    expect(Array.from(cpu.labels)).toEqual(Array.from(gpu.labels));
    for (const placement of ['cpu', 'GPU', 1, null]) {
      await expect(segment(image, { method: 'slic', placement } as never)).rejects.toThrow(InvalidOptionError);
    }
    await expect(segment(image, { method: 'slic', placement: 'cpu' } as never)).rejects.toThrow(
      /segment: placement must be one of 'auto', 'gpu', 'host', got "cpu"/,
    );
    await expect(segment(image, { method: 'felzenszwalb', placement: 'host' } as never)).rejects.toThrow(/placement/);
    image.dispose();
  });

  it('SLIC without connectivity enforcement can leave split labels; with it, never', async () => {
    const [h, w] = [64, 64];
    const image = tf.tensor3d(seededF32(h * w * 3, 5, 0, 1), [h, w, 3]); // pure noise
    const raw = await segment(image, { method: 'slic', segments: 40, compactness: 1, enforceConnectivity: false });
    const fixed = await segment(image, { method: 'slic', segments: 40, compactness: 1 });
    expect([...components(raw.labels, h, w).values()].some((n) => n > 1)).toBe(true);
    expect([...components(fixed.labels, h, w).values()].every((n) => n === 1)).toBe(true);
    image.dispose();
  });

  it('Felzenszwalb and Quick Shift (CPU) find the four colour regions', async () => {
    const [h, w] = [40, 50];
    const image = tf.tensor3d(quadrants(h, w, 2, 2), [h, w, 3]);
    const fz = await segment(image, { method: 'felzenszwalb', scale: 100, sigma: 0, minSize: 20 });
    expect(fz.path).toBe('cpu');
    expect(fz.count).toBe(4);
    expect(respectsQuadrants(fz.labels, h, w)).toBe(true);
    const qs = await segment(image, { method: 'quickshift', kernelSize: 3, maxDist: 6, ratio: 0.5 });
    expect(qs.path).toBe('gpu');
    expect(respectsQuadrants(qs.labels, h, w)).toBe(true);
    expect(qs.count).toBeGreaterThanOrEqual(4);
    expect(Math.max(...qs.labels)).toBe(qs.count - 1);
    // The CPU path (f64 densities) gives the same segments here (no near-ties).
    const values = (await image.data()) as Float32Array;
    await tf.setBackend('cpu');
    const cpuImage = tf.tensor3d(values, [h, w, 3]);
    const qsCpu = await segment(cpuImage, { method: 'quickshift', kernelSize: 3, maxDist: 6, ratio: 0.5 });
    expect(qsCpu.path).toBe('cpu');
    expect(Array.from(qsCpu.labels)).toEqual(Array.from(qs.labels));
    cpuImage.dispose();
    await tf.setBackend('webgpu');
    image.dispose();
  });

  it("given the image's host values: the same labels with fewer readbacks (value range, CPU methods' input)", async () => {
    const [h, w] = [40, 50];
    // [0, 255] values, and values outside any preset range (the range is then min..max).
    for (const values of [quadrants(h, w, 3), quadrants(h, w, 3).map((v) => 3 * v - 100)]) {
      const image = tf.tensor3d(values, [h, w, 3]);
      // With host values only the GPU methods' labels are read back (SLIC's on the GPU, Quick Shift's links).
      const cases: [SegmentOptions, number][] = [
        [{ method: 'slic', segments: 12, placement: 'gpu' }, 1],
        [{ method: 'slic', segments: 12, placement: 'host' }, 0],
        [{ method: 'quickshift', kernelSize: 3, maxDist: 6, ratio: 0.5 }, 1],
        [{ method: 'felzenszwalb', scale: 100, sigma: 0, minSize: 20 }, 0],
      ];
      for (const [options, readbacks] of cases) {
        const reads = vi.spyOn(GPUBuffer.prototype, 'mapAsync');
        const want = await segment(image, options);
        // Without them the image is read as well (SLIC on the GPU: its value range; tfjs may still hold
        // the values of a tensor made from host data, so other methods can read none).
        expect(reads.mock.calls.length).toBeGreaterThanOrEqual(
          readbacks + (options.method === 'slic' && options.placement === 'gpu' ? 1 : 0),
        );
        reads.mockClear();
        const got = await segmentImage(image, options, values);
        expect({ method: options.method, readbacks: reads.mock.calls.length }).toEqual({ method: options.method, readbacks });
        reads.mockRestore();
        expect(got.count).toBe(want.count);
        expect(Array.from(got.labels)).toEqual(Array.from(want.labels));
      }
      image.dispose();
    }
    const image = tf.ones([4, 4, 3]);
    const nan = new Float32Array(48).fill(1);
    nan[7] = Number.NaN;
    await expect(segmentImage(image, { method: 'slic', segments: 4 }, nan)).rejects.toThrow(InvalidInputError);
    await expect(segmentImage(image, { method: 'slic', segments: 4 }, new Float32Array(47))).rejects.toThrow(ShapeMismatchError);
    image.dispose();
  });

  it('rejects bad input with typed errors', async () => {
    const image = tf.zeros([4, 4, 3]);
    await expect(segment(image, { method: 'slic', segments: 17 })).rejects.toThrow(InvalidOptionError);
    await expect(segment(image, { method: 'slic', segments: 17 })).rejects.toThrow(/segments must be an integer in \[1, 16\]/);
    await expect(segment(tf.zeros([2, 4, 4, 3]), { method: 'slic' })).rejects.toThrow(ShapeMismatchError);
    await expect(segment(image, { method: 'watershed' } as never)).rejects.toThrow(/method must be/);
    await expect(segment(image, { method: 'slic', valueRange: [1, 0] })).rejects.toThrow(/valueRange/);
    image.dispose();
  });
});
