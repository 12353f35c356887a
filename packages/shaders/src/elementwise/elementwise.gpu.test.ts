// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest, seededF32 } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { liveBufferCount, readFloat32, releaseBuffer, uploadBuffer, createBuffer } from '../runtime/buffers.js';
import { affine } from './affine.kernel.js';
import { affineRef } from './affine.ref.js';
import { fill } from './fill.kernel.js';
import { fillRef } from './fill.ref.js';
import { copy } from './copy.kernel.js';
import { copyRef } from './copy.ref.js';

const SIZES = [
  { count: 1, why: 'one element' },
  { count: 200, why: 'less than one workgroup' },
  { count: 1000, why: 'ragged last workgroup' },
  { count: 4 * 64 * 64 * 3, why: 'a batch of 64x64 RGB images' },
];

describe('affine', () => {
  gpuTest.for(SIZES)('matches affineRef: $count ($why)', async ({ count }, { device }) => {
    const input = seededF32(count, count, -10, 10);
    const src = uploadBuffer(device, input, 'input');
    const dst = createBuffer(device, count * 4, 'output');
    await runKernel(device, affine, { params: { count, scale: -0.37, offset: 2.5 }, input: src, output: dst });
    expect(await readFloat32(device, dst, count)).toBeAllClose(affineRef(input, -0.37, 2.5), affine.tolerance);
    releaseBuffer(device, src);
    releaseBuffer(device, dst);
    expect(liveBufferCount(device)).toBe(0);
  });

  gpuTest('writes nothing past count', async ({ device }) => {
    const src = uploadBuffer(device, seededF32(64, 1), 'input');
    const dst = uploadBuffer(device, new Float32Array(64).fill(7), 'output');
    await runKernel(device, affine, { params: { count: 10, scale: 2, offset: 0 }, input: src, output: dst });
    const out = await readFloat32(device, dst, 64);
    expect(Array.from(out.subarray(10))).toEqual(new Array(54).fill(7));
    releaseBuffer(device, src);
    releaseBuffer(device, dst);
  });
});

describe('fill', () => {
  gpuTest.for(SIZES)('matches fillRef: $count ($why)', async ({ count }, { device }) => {
    const dst = createBuffer(device, count * 4, 'output');
    await runKernel(device, fill, { params: { count, value: -1.25 }, output: dst });
    expect(await readFloat32(device, dst, count)).toBeAllClose(fillRef(count, -1.25), fill.tolerance);
    releaseBuffer(device, dst);
  });
});

describe('copy', () => {
  gpuTest.for(SIZES)('matches copyRef: $count ($why)', async ({ count }, { device }) => {
    const input = seededF32(count, count + 1, -1e30, 1e30);
    const src = uploadBuffer(device, input, 'input');
    const dst = uploadBuffer(device, new Float32Array(count + 8).fill(-3), 'output');
    await runKernel(device, copy, { params: { count }, input: src, output: dst });
    const out = await readFloat32(device, dst, count + 8);
    expect(out.subarray(0, count)).toBeAllClose(copyRef(input, count), copy.tolerance);
    // Nothing past count is written.
    expect(Array.from(out.subarray(count))).toEqual(new Array(8).fill(-3));
    releaseBuffer(device, src);
    releaseBuffer(device, dst);
    expect(liveBufferCount(device)).toBe(0);
  });
});
