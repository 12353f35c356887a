// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { gpuTest, seededF32, seededInts } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { GUIDED_IG_SELECT_KEY_BITS, guidedIgSelect } from './guided-ig-select.kernel.js';
import { guidedIgSelectRef } from './guided-ig-select.ref.js';

/** A selection problem: gradients, and x equal to xMax (= 1) where `finished(i)`. */
function problem(
  rows: number,
  rowLength: number,
  rank: number,
  gradient: Float32Array<ArrayBuffer>,
  finished: (i: number) => boolean = () => false,
) {
  const x = Float32Array.from(gradient, (_, i) => (finished(i) ? 1 : 0.5));
  return { rows, rowLength, rank, gradient, x, xMax: new Float32Array(gradient.length).fill(1) };
}

/** Gradients on a coarse grid (many exact ties) times `scale`. */
const coarse = (length: number, seed: number, scale: number) =>
  Float32Array.from(seededInts(length, seed, -20, 21), (l) => (l / 20) * scale);

/** What selection.ts's tfjs ops and topk gave: keys sorted, the rank-th, key <= it and not done. */
function bySorting(p: ReturnType<typeof problem>): number[] {
  const out: number[] = [];
  for (let r = 0; r < p.rows; r++) {
    const row = Array.from({ length: p.rowLength }, (_, i) => r * p.rowLength + i);
    const done = (i: number) => p.x[i] === p.xMax[i];
    const scale = row.reduce((m, i) => (done(i) ? m : Math.max(m, Math.abs(p.gradient[i]!))), 0);
    const cell = Math.fround((scale > 0 ? scale : 1) * 2 ** -GUIDED_IG_SELECT_KEY_BITS);
    const key = (i: number) => (done(i) ? Infinity : Math.round(Math.fround(Math.abs(p.gradient[i]!) / cell)));
    const threshold = row.map(key).sort((a, b) => a - b)[p.rank - 1]!;
    for (const i of row) out.push(!done(i) && key(i) <= threshold ? 1 : 0);
  }
  return out;
}

const CASES = [
  { why: 'a 32x32x3 image, fraction 0.25', p: problem(1, 3072, 768, seededF32(3072, 1, -1, 1)) },
  { why: 'ties on a coarse grid, 3 rows', p: problem(3, 700, 175, coarse(2100, 2, 3e-3)) },
  { why: 'finished features among the smallest', p: problem(2, 999, 400, seededF32(1998, 3, -5, 5), (i) => i % 3 === 0) },
  { why: 'fewer unfinished features than the rank', p: problem(2, 100, 60, seededF32(200, 4), (i) => i % 2 === 0) },
  { why: 'a whole row finished', p: problem(1, 64, 1, seededF32(64, 5), () => true) },
  { why: 'all gradients zero (every key 0)', p: problem(2, 50, 13, new Float32Array(100)) },
  { why: 'tiny gradients (1e-30)', p: problem(1, 500, 125, seededF32(500, 6, -1e-30, 1e-30)) },
  { why: 'the last rank of a row', p: problem(4, 257, 257, seededF32(1028, 7)) },
  {
    why: 'a 224x224x3 image with finished features',
    p: problem(1, 224 * 224 * 3, Math.floor(0.25 * (224 * 224 * 3 - 1)) + 1, seededF32(224 * 224 * 3, 8, -2, 2), (i) => i % 7 === 0),
  },
];

describe('guided-ig-select', () => {
  gpuTest.for(CASES)('matches guidedIgSelectRef and sorting: $why', async ({ p }, { device }) => {
    const [g, x, xMax] = [uploadBuffer(device, p.gradient, 'g'), uploadBuffer(device, p.x, 'x'), uploadBuffer(device, p.xMax, 'xMax')];
    const length = p.rows * p.rowLength;
    const selected = uploadBuffer(device, new Float32Array(length + 2).fill(-3), 'selected');
    await runKernel(device, guidedIgSelect, { params: p, gradient: g, x, xMax, selected });
    const got = Array.from(await readFloat32(device, selected, length + 2));
    const want = Array.from(guidedIgSelectRef(p.gradient, p.x, p.xMax, p.rows, p.rowLength, p.rank));
    expect(got.slice(0, length)).toEqual(want);
    expect(want).toEqual(bySorting(p));
    expect(got.slice(length)).toEqual([-3, -3]); // nothing past the rows
    [g, x, xMax, selected].forEach((b) => releaseBuffer(device, b));
    expect(liveBufferCount(device)).toBe(0);
  });
});

describe('guidedIgSelectRef', () => {
  it('selects keys up to the rank-th smallest, ties together, finished features never', () => {
    expect(Array.from(guidedIgSelectRef([3, 1, 1, 2], [0, 0, 0, 0], [1, 1, 1, 1], 1, 4, 2))).toEqual([0, 1, 1, 0]);
    expect(Array.from(guidedIgSelectRef([3, 1, 1, 2], [0, 1, 0, 0], [1, 1, 1, 1], 1, 4, 1))).toEqual([0, 0, 1, 0]);
    expect(Array.from(guidedIgSelectRef([0, 0, 0], [0, 0, 0], [1, 1, 1], 1, 3, 1))).toEqual([1, 1, 1]);
  });
});
