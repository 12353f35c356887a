// SPDX-License-Identifier: Apache-2.0
// scorecam-masks needs scorecam-range's output, so both kernels are checked here, in pipeline order.
import { describe, expect } from 'vitest';
import { gpuTest, seededF32 } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { createBuffer, liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { scorecamRange } from './scorecam-range.kernel.js';
import { scorecamMasks } from './scorecam-masks.kernel.js';
import { scorecamRangesRef, type ScorecamShape } from './scorecam-range.ref.js';
import { scorecamMasksRef } from './scorecam-masks.ref.js';

const CASES: (ScorecamShape & { imageChannels: number; why: string })[] = [
  { images: 1, height: 1, width: 1, channels: 1, outHeight: 1, outWidth: 1, imageChannels: 1, why: 'one element' },
  { images: 1, height: 2, width: 3, channels: 5, outHeight: 5, outWidth: 7, imageChannels: 3, why: 'less than one workgroup' },
  { images: 2, height: 7, width: 7, channels: 37, outHeight: 29, outWidth: 31, imageChannels: 3, why: 'ragged, 2 images' },
  { images: 1, height: 7, width: 7, channels: 64, outHeight: 224, outWidth: 224, imageChannels: 3, why: '7x7 -> 224x224' },
];

describe('scorecam-range and scorecam-masks', () => {
  gpuTest.for(CASES)('match their references: $why', async ({ why: _, imageChannels, ...shape }, { device }) => {
    const actValues = seededF32(shape.images * shape.height * shape.width * shape.channels, shape.channels, -1, 3);
    const imageValues = seededF32(shape.images * shape.outHeight * shape.outWidth * imageChannels, 5, 0, 1);
    const act = uploadBuffer(device, actValues, 'act');
    const images = uploadBuffer(device, imageValues, 'images');
    const ranges = createBuffer(device, shape.images * shape.channels * 8, 'ranges');
    await runKernel(device, scorecamRange, { params: shape, act, ranges });
    const gotRanges = await readFloat32(device, ranges, shape.images * shape.channels * 2);
    const wantRanges = scorecamRangesRef(actValues, shape);
    expect(gotRanges).toBeAllClose(wantRanges, scorecamRange.tolerance);
    // The last image's channels from k0 = 1 (a batch offset), count up to 16.
    const n = shape.images - 1;
    const k0 = Math.min(1, shape.channels - 1);
    const count = Math.min(16, shape.channels - k0);
    const out = createBuffer(device, count * shape.outHeight * shape.outWidth * imageChannels * 4, 'masked');
    await runKernel(device, scorecamMasks, {
      params: { ...shape, imageChannels, image: n, channelStart: k0, count },
      images,
      act,
      ranges,
      output: out,
    });
    const got = await readFloat32(device, out, count * shape.outHeight * shape.outWidth * imageChannels);
    expect(got).toBeAllClose(
      scorecamMasksRef(imageValues, actValues, wantRanges, { ...shape, imageChannels }, n, k0, count),
      scorecamMasks.tolerance,
    );
    [act, images, ranges, out].forEach((b) => releaseBuffer(device, b));
    expect(liveBufferCount(device)).toBe(0);
  });

  gpuTest('masks span [0, 1] exactly at the channel extremes; a constant channel masks everything to 0', async ({ device }) => {
    const shape = { images: 1, height: 2, width: 2, channels: 2, outHeight: 3, outWidth: 3 };
    // channel 0 is [[0, 2], [4, 8]] (corners land on source pixels with align_corners), channel 1 is constant.
    const act = uploadBuffer(device, Float32Array.from([0, 5, 2, 5, 4, 5, 8, 5]), 'act');
    const images = uploadBuffer(device, new Float32Array(9).fill(2), 'images');
    const ranges = createBuffer(device, 16, 'ranges');
    const out = createBuffer(device, 2 * 9 * 4, 'out');
    await runKernel(device, scorecamRange, { params: shape, act, ranges });
    expect(Array.from(await readFloat32(device, ranges, 4))).toEqual([0, 8, 5, 5]);
    await runKernel(device, scorecamMasks, {
      params: { ...shape, imageChannels: 1, image: 0, channelStart: 0, count: 2 },
      images,
      act,
      ranges,
      output: out,
    });
    const masked = await readFloat32(device, out, 18);
    expect(Array.from(masked.subarray(0, 9))).toBeAllClose(
      [0, 1, 2, 2, 3.5, 5, 4, 6, 8].map((v) => (v / 8) * 2),
      scorecamMasks.tolerance,
    );
    expect(Array.from(masked.subarray(9))).toEqual(new Array(9).fill(0));
    [act, images, ranges, out].forEach((b) => releaseBuffer(device, b));
  });
});
