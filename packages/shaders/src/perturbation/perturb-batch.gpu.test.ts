// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest, seededF32, seededInts } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { createBuffer, liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { perturbBatch } from './perturb-batch.kernel.js';
import { perturbBatchRef } from './perturb-batch.ref.js';

const CASES = [
  { count: 1, h: 1, w: 1, c: 1, segments: 1, why: 'one value' },
  { count: 3, h: 5, w: 7, c: 3, segments: 4, why: 'less than one workgroup' },
  { count: 5, h: 13, w: 11, c: 3, segments: 9, why: 'ragged last workgroup' },
  { count: 16, h: 224, w: 224, c: 3, segments: 50, why: 'a realistic batch' },
];

describe('perturb-batch', () => {
  gpuTest.for(CASES)('matches perturbBatchRef (segment masks): $why', async ({ count, h, w, c, segments }, { device }) => {
    const pixels = h * w;
    const image = seededF32(pixels * c, 1, 0, 1);
    const fill = seededF32(pixels * c, 2, -1, 0);
    const labels = new Uint32Array(seededInts(pixels, 3, 0, segments));
    const total = count + 2; // a sample offset of 2: the batch is the tail of the sample matrix
    const masks = new Float32Array(seededInts(total * segments, 4, 0, 2));
    const buffers = [
      uploadBuffer(device, image, 'image'),
      uploadBuffer(device, fill, 'fill'),
      uploadBuffer(device, labels, 'segments'),
      uploadBuffer(device, masks, 'masks'),
      createBuffer(device, (count + 1) * pixels * c * 4, 'output'),
    ] as const;
    await runKernel(device, perturbBatch.segments, {
      params: { count, pixels, channels: c, maskStride: segments, sampleOffset: 2, outOffset: 1 },
      image: buffers[0],
      fillImage: buffers[1],
      segments: buffers[2],
      masks: buffers[3],
      output: buffers[4],
    });
    const got = await readFloat32(device, buffers[4], count * pixels * c, pixels * c);
    const want = perturbBatchRef({
      image,
      fill,
      segments: labels,
      masks,
      maskStride: segments,
      pixels,
      channels: c,
      count,
      sampleOffset: 2,
    });
    expect(Array.from(got)).toEqual(Array.from(want)); // binary masks: exact
    buffers.forEach((b) => releaseBuffer(device, b));
    expect(liveBufferCount(device)).toBe(0);
  });

  gpuTest('fractional per-pixel masks (RISE) within tolerance; all-ones reproduces the input exactly', async ({ device }) => {
    const [count, pixels, c] = [4, 300, 3];
    const image = seededF32(pixels * c, 5, -3, 3);
    const fill = new Float32Array(pixels * c);
    const masks = seededF32(count * pixels, 6, 0, 1);
    masks.fill(1, 0, pixels); // sample 0: all ones
    const b = [
      uploadBuffer(device, image, 'image'),
      uploadBuffer(device, fill, 'fill'),
      uploadBuffer(device, new Uint32Array(1), 'unused'),
      uploadBuffer(device, masks, 'masks'),
      createBuffer(device, count * pixels * c * 4, 'out'),
    ] as const;
    await runKernel(device, perturbBatch.pixels, {
      params: { count, pixels, channels: c, maskStride: pixels, sampleOffset: 0, outOffset: 0 },
      image: b[0],
      fillImage: b[1],
      segments: b[2],
      masks: b[3],
      output: b[4],
    });
    const got = await readFloat32(device, b[4], count * pixels * c);
    expect(Array.from(got.subarray(0, pixels * c))).toEqual(Array.from(image));
    expect(got).toBeAllClose(
      perturbBatchRef({ image, fill, masks, maskStride: pixels, pixels, channels: c, count }),
      perturbBatch.pixels.tolerance,
    );
    b.forEach((x) => releaseBuffer(device, x));
  });
});
