// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest, seededF32 } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { createBuffer, liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { broadcastMean } from './broadcast-mean.kernel.js';
import { broadcastMeanRef } from './broadcast-mean.ref.js';

const CASES = [
  { count: 1, positions: 1, why: 'one value, one position' },
  { count: 64, positions: 49, why: 'a 7x7x64 Grad-CAM gradient' },
  { count: 3 * 67, positions: 9, why: 'ragged last workgroup' },
  { count: 2 * 1280, positions: 3136, why: 'many positions' },
];

describe('broadcast-mean', () => {
  gpuTest.for(CASES)('matches broadcastMeanRef: $why', async ({ count, positions }, { device }) => {
    const values = seededF32(count, positions, -0.02, 0.02);
    const input = uploadBuffer(device, values, 'values');
    const output = createBuffer(device, count * 4, 'output');
    await runKernel(device, broadcastMean, { params: { count, positions }, values: input, output });
    const got = await readFloat32(device, output, count);
    expect(got).toBeAllClose(broadcastMeanRef(values, positions), broadcastMean.tolerance);
    [input, output].forEach((b) => releaseBuffer(device, b));
    expect(liveBufferCount(device)).toBe(0);
  });

  gpuTest('sums the copies one add at a time: 49 copies of 0.1 are not 0.1 again', async ({ device }) => {
    // The repeated f32 adds round away from v; a kernel returning v (or positions * v / positions) would miss it.
    const values = Float32Array.from([0.1, 1 / 3, 0.7]);
    const want = broadcastMeanRef(values, 49);
    expect(Array.from(want)).not.toEqual(Array.from(values));
    const input = uploadBuffer(device, values, 'values');
    const output = createBuffer(device, 12, 'output');
    await runKernel(device, broadcastMean, { params: { count: 3, positions: 49 }, values: input, output });
    expect(await readFloat32(device, output, 3)).toBeAllClose(want, broadcastMean.tolerance);
    [input, output].forEach((b) => releaseBuffer(device, b));
  });
});
