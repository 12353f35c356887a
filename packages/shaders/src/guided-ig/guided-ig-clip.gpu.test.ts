// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest, seededF32 } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { guidedIgClip } from './guided-ig-clip.kernel.js';
import { guidedIgClipRef } from './guided-ig-clip.ref.js';

/** A path state: x somewhere between xBase and xBase + diff, some diffs zero, x_min at alphaMin. */
function state(rows: number, rowLength: number, seed: number, alphaMin: number, going: number[]) {
  const length = rows * rowLength;
  const xBase = seededF32(length, seed, 0, 0.2);
  const diff = Float32Array.from(seededF32(length, seed + 1, -1, 1), (d, i) => (i % 9 === 0 ? 0 : d));
  const alpha = seededF32(length, seed + 2, alphaMin - 0.05, alphaMin + 0.05);
  const x = Float32Array.from(alpha, (a, i) => Math.fround(xBase[i]! + Math.fround(a * diff[i]!)));
  const xMin = Float32Array.from(diff, (d, i) => Math.fround(xBase[i]! + Math.fround(d * alphaMin)));
  // Exactly on the line at alphaMin: behind only if the division rounds below it.
  x[1] = xMin[1]!;
  return { rows, rowLength, alphaMin, inputs: { x, xBase, diff, xMin, going: Float32Array.from(going) } };
}

const CASES = [
  { why: 'a 32x32x3 image going', s: state(1, 3072, 1, 0.3, [1]) },
  { why: 'three images, the middle one finished', s: state(3, 500, 2, 0.51, [1, 0, 1]) },
  { why: 'alphaMin 0 (first step)', s: state(2, 257, 3, 0, [1, 1]) },
  { why: 'a 224x224x3 image', s: state(1, 224 * 224 * 3, 4, 0.875, [1]) },
];

describe('guided-ig-clip', () => {
  gpuTest.for(CASES)('matches guidedIgClipRef bit for bit: $why', async ({ s }, { device }) => {
    const { x, xBase, diff, xMin, going } = s.inputs;
    const buffers = [x, xBase, diff, xMin, going].map((a, i) => uploadBuffer(device, a, `in${i}`));
    const length = s.rows * s.rowLength;
    const clipped = uploadBuffer(device, new Float32Array(length + 2).fill(-3), 'clipped');
    const [bx, bBase, bDiff, bMin, bGoing] = buffers as [GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer];
    await runKernel(device, guidedIgClip, {
      params: { rows: s.rows, rowLength: s.rowLength, alphaMin: s.alphaMin },
      x: bx,
      xBase: bBase,
      diff: bDiff,
      xMin: bMin,
      going: bGoing,
      clipped,
    });
    const got = await readFloat32(device, clipped, length + 2);
    const want = guidedIgClipRef(s.inputs, s.rows, s.rowLength, s.alphaMin);
    expect(new Uint32Array(got.buffer, 0, length)).toEqual(new Uint32Array(want.buffer));
    expect(Array.from(got.subarray(length))).toEqual([-3, -3]);
    // Some features are behind and some are not, so both branches are exercised.
    const moved = want.filter((v, i) => v !== x[i]).length;
    expect(moved).toBeGreaterThan(0);
    expect(moved).toBeLessThan(length);
    [...buffers, clipped].forEach((b) => releaseBuffer(device, b));
    expect(liveBufferCount(device)).toBe(0);
  });
});
