// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest, seededF32 } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { maskAccumulate } from './mask-accumulate.kernel.js';
import { maskAccumulateRef } from './mask-accumulate.ref.js';

const CASES = [
  { count: 1, pixels: 1, invert: false, why: 'one pixel' },
  { count: 3, pixels: 200, invert: true, why: 'less than one workgroup, inverted' },
  { count: 7, pixels: 1000, invert: false, why: 'ragged last workgroup' },
  { count: 64, pixels: 224 * 224, invert: true, why: 'a realistic batch' },
];

describe('mask-accumulate', () => {
  gpuTest.for(CASES)('matches maskAccumulateRef: $why', async ({ count, pixels, invert }, { device }) => {
    const acc = seededF32(pixels, 1, -1, 1);
    const weights = seededF32(count, 2, -1, 1);
    const masks = seededF32(count * pixels, 3, 0, 1);
    const b = [uploadBuffer(device, weights, 'w'), uploadBuffer(device, masks, 'm'), uploadBuffer(device, acc, 'acc')] as const;
    const kernel = invert ? maskAccumulate.hidden : maskAccumulate.keep;
    await runKernel(device, kernel, { params: { count, pixels }, weights: b[0], masks: b[1], acc: b[2] });
    const got = await readFloat32(device, b[2], pixels);
    expect(got).toBeAllClose(maskAccumulateRef(acc.slice(), weights, masks, count, pixels, invert), kernel.tolerance);
    b.forEach((x) => releaseBuffer(device, x));
  });
});
