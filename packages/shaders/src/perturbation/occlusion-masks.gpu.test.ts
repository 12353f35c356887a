// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { gpuTest } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { createBuffer, readFloat32, releaseBuffer } from '../runtime/buffers.js';
import { occlusionMasks } from './occlusion-masks.kernel.js';
import { occlusionMasksRef, occlusionWindowCounts } from './occlusion-masks.ref.js';

const CASES = [
  { height: 1, width: 1, windowH: 1, windowW: 1, strideY: 1, strideX: 1, first: 0, count: 1, why: 'one pixel' },
  {
    height: 6,
    width: 9,
    windowH: 3,
    windowW: 2,
    strideY: 2,
    strideX: 3,
    first: 1,
    count: 5,
    why: 'ragged edges (Captum leaves the remainder)',
  },
  {
    height: 224,
    width: 224,
    windowH: 16,
    windowW: 16,
    strideY: 8,
    strideX: 8,
    first: 700,
    count: 29,
    why: 'the 729-window benchmark, last batch',
  },
];

describe('occlusion-masks', () => {
  it('counts windows as Captum: (size - window) // stride + 1 per axis', () => {
    expect(occlusionWindowCounts({ height: 224, width: 224, windowH: 16, windowW: 16, strideY: 8, strideX: 8 })).toEqual({
      rows: 27,
      cols: 27,
      total: 729,
    });
    expect(occlusionWindowCounts({ height: 6, width: 9, windowH: 3, windowW: 2, strideY: 2, strideX: 3 })).toEqual({
      rows: 2,
      cols: 3,
      total: 6,
    });
  });

  gpuTest.for(CASES)('matches occlusionMasksRef exactly: $why', async ({ first, count, ...g }, { device }) => {
    const { cols } = occlusionWindowCounts(g);
    const n = count * g.height * g.width;
    const out = createBuffer(device, n * 4, 'masks');
    await runKernel(device, occlusionMasks, { params: { ...g, count, windowsPerRow: cols, firstWindow: first }, masks: out });
    const got = await readFloat32(device, out, n);
    const want = occlusionMasksRef(g, first, count);
    expect(Array.from(got)).toEqual(Array.from(want));
    // every window hides windowH * windowW pixels (all windows lie inside the image)
    for (let b = 0; b < count; b++) {
      const hidden = want.subarray(b * g.height * g.width, (b + 1) * g.height * g.width).filter((m) => m === 0).length;
      expect(hidden).toBe(g.windowH * g.windowW);
    }
    releaseBuffer(device, out);
  });
});
