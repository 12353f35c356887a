// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { gpuTest } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { createBuffer, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { rankedMasks } from './ranked-masks.kernel.js';
import { changedPixels, rankedMasksRef } from './ranked-masks.ref.js';

/** A seeded permutation of 0 .. n - 1 (Fisher-Yates with a linear congruential generator). */
function permutation(n: number, seed: number): Uint32Array<ArrayBuffer> {
  const out = Uint32Array.from({ length: n }, (_, i) => i);
  let s = seed >>> 0;
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const CASES = [
  { pixels: 1, steps: 1, firstStep: 0, count: 2, why: 'one pixel, both ends of the curve' },
  { pixels: 37, steps: 5, firstStep: 0, count: 6, why: 'less than one workgroup, every step' },
  { pixels: 7 * 9, steps: 100, firstStep: 33, count: 11, why: 'more steps than pixels (repeated counts), mid-curve batch' },
  { pixels: 224 * 224, steps: 100, firstStep: 96, count: 5, why: 'MobileNet size, ragged last batch up to all pixels' },
];

describe('ranked-masks', () => {
  it('changes floor(k * pixels / steps) pixels at step k', () => {
    expect([0, 1, 2, 3].map((k) => changedPixels(k, 10, 3))).toEqual([0, 3, 6, 10]);
    const masks = rankedMasksRef('deletion', [2, 0, 1], 3, 0, 4);
    expect(Array.from(masks)).toEqual([1, 1, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0]);
    expect(Array.from(rankedMasksRef('insertion', [2, 0, 1], 3, 1, 1))).toEqual([0, 1, 0]);
  });

  for (const mode of ['deletion', 'insertion'] as const) {
    gpuTest.for(CASES)(`${mode} matches rankedMasksRef exactly: $why`, async ({ pixels, steps, firstStep, count }, { device }) => {
      const ranks = permutation(pixels, pixels + steps);
      const ranksBuffer = uploadBuffer(device, ranks, 'ranks');
      const out = createBuffer(device, count * pixels * 4, 'masks');
      await runKernel(device, rankedMasks[mode], { params: { count, pixels, steps, firstStep }, ranks: ranksBuffer, masks: out });
      const got = await readFloat32(device, out, count * pixels);
      const want = rankedMasksRef(mode, ranks, steps, firstStep, count);
      expect(Array.from(got)).toEqual(Array.from(want));
      // exactly the top removed(k) ranks are changed
      for (let b = 0; b < count; b++) {
        const changed = want.subarray(b * pixels, (b + 1) * pixels).filter((m) => m === (mode === 'deletion' ? 0 : 1)).length;
        expect(changed).toBe(changedPixels(firstStep + b, pixels, steps));
      }
      releaseBuffer(device, ranksBuffer);
      releaseBuffer(device, out);
    });
  }
});
