// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { gpuTest, seededInts } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { createBuffer, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { riseMasks } from './rise-masks.kernel.js';
import { riseMasksRef } from './rise-masks.ref.js';

const CASES = [
  { height: 1, width: 1, gridH: 1, gridW: 1, cell: 1, count: 1, why: 'one pixel, one cell' },
  { height: 10, width: 7, gridH: 3, gridW: 2, cell: 4, count: 3, why: 'rectangular, ragged workgroup' },
  { height: 224, width: 224, gridH: 7, gridW: 7, cell: 32, count: 8, why: 'Petsiuk s = 7 at 224' },
];

describe('rise-masks', () => {
  gpuTest.for(CASES)('matches riseMasksRef: $why', async ({ count, ...g }, { device }) => {
    const total = count + 1;
    const grids = new Float32Array(seededInts(total * g.gridH * g.gridW, 7, 0, 2));
    const shifts = new Uint32Array(seededInts(total * 2, 8, 0, g.cell));
    const n = count * g.height * g.width;
    const b = [uploadBuffer(device, grids, 'grids'), uploadBuffer(device, shifts, 'shifts'), createBuffer(device, n * 4, 'masks')] as const;
    await runKernel(device, riseMasks, { params: { ...g, count, sampleOffset: 1 }, grids: b[0], shifts: b[1], masks: b[2] });
    const got = await readFloat32(device, b[2], n);
    const want = riseMasksRef(g, grids, shifts, 1, count);
    expect(got).toBeAllClose(want, riseMasks.tolerance);
    expect(want.every((m) => m >= 0 && m <= 1)).toBe(true);
    b.forEach((x) => releaseBuffer(device, x));
  });

  // The CPU reference alone: no GPU needed.
  it('a grid of ones gives a mask of ones; a single cell is a smooth bump', () => {
    const g = { height: 8, width: 8, gridH: 2, gridW: 2, cell: 4 };
    const grids = Float32Array.from([1, 1, 1, 1, 1, 0, 0, 0]);
    const shifts = Uint32Array.from([0, 0, 0, 0]);
    const want = riseMasksRef(g, grids, shifts, 0, 2);
    expect(Array.from(want.subarray(0, 64))).toEqual(new Array(64).fill(1));
    // one lit cell (top-left): bright near its centre (2.5, 2.5), dim in the far corner
    expect(want[64 + 2 * 8 + 2]).toBeGreaterThan(0.6);
    expect(want[64 + 7 * 8 + 7]).toBeLessThan(0.1);
  });
});
