// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest, seededF32 } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { createBuffer, liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { ablationBatch } from './ablation-batch.kernel.js';
import { ablationBatchRef, type AblationBatchShape } from './ablation-batch.ref.js';

const CASES: (AblationBatchShape & { image: number; channelStart: number; count: number; value: number; why: string })[] = [
  { images: 1, positions: 1, channels: 1, image: 0, channelStart: 0, count: 1, value: 0, why: 'one element' },
  { images: 2, positions: 6, channels: 5, image: 1, channelStart: 2, count: 3, value: -3.5, why: 'second image, the last channels' },
  {
    images: 1,
    positions: 49,
    channels: 1280,
    image: 0,
    channelStart: 1248,
    count: 32,
    value: 0,
    why: "MobileNetV2's out_relu, last batch",
  },
  {
    images: 2,
    positions: 9,
    channels: 37,
    image: 0,
    channelStart: 0,
    count: 37,
    value: -1e7 - 0.25,
    why: 'every channel, value below f32 precision',
  },
];

describe('ablation-batch', () => {
  gpuTest.for(CASES)('matches its reference exactly: $why', async ({ why: _, image, channelStart, count, value, ...shape }, { device }) => {
    const values = seededF32(shape.images * shape.positions * shape.channels, shape.channels, -1, 3);
    const act = uploadBuffer(device, values, 'act');
    const output = createBuffer(device, count * shape.positions * shape.channels * 4, 'ablated');
    await runKernel(device, ablationBatch, { params: { ...shape, image, channelStart, count, value }, act, output });
    const got = await readFloat32(device, output, count * shape.positions * shape.channels);
    const want = ablationBatchRef(values, shape, image, channelStart, count, value);
    // Exact equality, compared in a loop (a deep equal of 2M floats takes a minute).
    expect(got.length).toBe(want.length);
    expect(got.findIndex((v, i) => !Object.is(v, want[i]))).toBe(-1);
    // Not a copy of the input alone: copy 0 has channel channelStart replaced by the value.
    expect(got[channelStart]).toBe(Math.fround(value));
    [act, output].forEach((b) => releaseBuffer(device, b));
    expect(liveBufferCount(device)).toBe(0);
  });

  gpuTest('a hand-computed batch: 2 positions x 3 channels, channels 1 and 2 ablated', async ({ device }) => {
    const act = uploadBuffer(device, Float32Array.from([1, 2, 3, 4, 5, 6]), 'act');
    const output = createBuffer(device, 2 * 6 * 4, 'ablated');
    await runKernel(device, ablationBatch, {
      params: { image: 0, channelStart: 1, count: 2, positions: 2, channels: 3, value: -9 },
      act,
      output,
    });
    expect(Array.from(await readFloat32(device, output, 12))).toEqual([1, -9, 3, 4, -9, 6, 1, 2, -9, 4, 5, -9]);
    [act, output].forEach((b) => releaseBuffer(device, b));
  });
});
