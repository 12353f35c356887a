// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest, seededF32 } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { createBuffer, liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { scorecamRange } from './scorecam-range.kernel.js';
import { scorecamRangesRef, type ScorecamShape } from './scorecam-range.ref.js';

const CASES: (ScorecamShape & { why: string })[] = [
  { images: 1, height: 1, width: 1, channels: 1, outHeight: 1, outWidth: 1, why: 'one element' },
  { images: 1, height: 3, width: 2, channels: 3, outHeight: 4, outWidth: 9, why: 'fewer pixels than invocations' },
  { images: 3, height: 7, width: 7, channels: 130, outHeight: 61, outWidth: 37, why: 'ragged pixel stride, 3 images' },
  { images: 1, height: 7, width: 7, channels: 2048, outHeight: 32, outWidth: 32, why: '2048 channels (ResNet-50 layer4)' },
  { images: 1, height: 7, width: 7, channels: 40, outHeight: 224, outWidth: 224, why: 'MobileNetV2 7x7 to 224x224' },
  { images: 2, height: 14, width: 12, channels: 5, outHeight: 5, outWidth: 9, why: 'downsampling' },
  { images: 1, height: 1, width: 5, channels: 4, outHeight: 6, outWidth: 11, why: 'one source row' },
  { images: 1, height: 6, width: 4, channels: 4, outHeight: 1, outWidth: 13, why: 'one output row' },
];

describe('scorecam-range', () => {
  gpuTest.for(CASES)('matches scorecamRangesRef: $why', async ({ why: _, ...shape }, { device }) => {
    const values = seededF32(shape.images * shape.height * shape.width * shape.channels, shape.width + 11, -2, 2);
    const act = uploadBuffer(device, values, 'act');
    const ranges = createBuffer(device, shape.images * shape.channels * 8, 'ranges');
    await runKernel(device, scorecamRange, { params: shape, act, ranges });
    const got = await readFloat32(device, ranges, shape.images * shape.channels * 2);
    const want = scorecamRangesRef(values, shape);
    expect(got).toBeAllClose(want, scorecamRange.tolerance);
    // The extremes of an interpolation lie within the source channel's range.
    for (let i = 0; i < shape.images * shape.channels; i++) expect(got[2 * i]!).toBeLessThanOrEqual(got[2 * i + 1]!);
    releaseBuffer(device, act);
    releaseBuffer(device, ranges);
    expect(liveBufferCount(device)).toBe(0);
  });
});
