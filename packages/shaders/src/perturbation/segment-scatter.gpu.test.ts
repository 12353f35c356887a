// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest, seededF32, seededInts } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { createBuffer, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { segmentScatter } from './segment-scatter.kernel.js';
import { segmentScatterRef } from './segment-scatter.ref.js';

const CASES = [
  { pixels: 1, segments: 1, why: 'one pixel' },
  { pixels: 100, segments: 5, why: 'less than one workgroup' },
  { pixels: 1000, segments: 37, why: 'ragged last workgroup' },
  { pixels: 224 * 224, segments: 200, why: 'a 224x224 map' },
];

describe('segment-scatter', () => {
  gpuTest.for(CASES)('matches segmentScatterRef exactly: $why', async ({ pixels, segments }, { device }) => {
    const labels = new Uint32Array(seededInts(pixels, 1, 0, segments));
    const values = seededF32(segments, 2, -5, 5);
    const b = [
      uploadBuffer(device, labels, 'segments'),
      uploadBuffer(device, values, 'values'),
      createBuffer(device, 2 * pixels * 4, 'out'),
    ] as const;
    await runKernel(device, segmentScatter, { params: { pixels, outOffset: pixels }, segments: b[0], values: b[1], output: b[2] });
    expect(Array.from(await readFloat32(device, b[2], pixels, pixels))).toEqual(Array.from(segmentScatterRef(labels, values)));
    b.forEach((x) => releaseBuffer(device, x));
  });
});
