// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { gpuTest, seededInts } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { KTH_KEY_MAX, kthKey } from './kth-key.kernel.js';
import { kthKeyRef } from './kth-key.ref.js';

/** `rows * rowLength` integer keys in [low, high), with +Inf (finished features) where `finished(i)`. */
function keys(rows: number, rowLength: number, seed: number, low: number, high: number, finished: (i: number) => boolean = () => false) {
  const ints = seededInts(rows * rowLength, seed, low, high);
  return Float32Array.from(ints, (v, i) => (finished(i) ? Number.POSITIVE_INFINITY : v));
}

/** The rank-th smallest of each row by sorting: what topk + min gave. */
function bySorting(values: Float32Array, rows: number, rowLength: number, rank: number): number[] {
  return Array.from({ length: rows }, (_, r) => [...values.subarray(r * rowLength, (r + 1) * rowLength)].sort((a, b) => a - b)[rank - 1]!);
}

const CASES = [
  { why: 'a 32x32x3 row, fraction 0.25', rows: 1, rowLength: 3072, rank: 768, values: keys(1, 3072, 1, 0, KTH_KEY_MAX + 1) },
  { why: 'many ties on a coarse grid', rows: 3, rowLength: 700, rank: 175, values: keys(3, 700, 2, 0, 21) },
  { why: 'rank 1 and the largest key', rows: 2, rowLength: 50, rank: 1, values: keys(2, 50, 3, KTH_KEY_MAX, KTH_KEY_MAX + 1) },
  {
    why: 'finished features (+Inf) among the smallest ranks',
    rows: 2,
    rowLength: 999,
    rank: 400,
    values: keys(2, 999, 4, 0, 300, (i) => i % 3 === 0),
  },
  { why: 'fewer finite keys than the rank: +Inf', rows: 2, rowLength: 100, rank: 60, values: keys(2, 100, 5, 0, 9, (i) => i % 2 === 0) },
  { why: 'a whole row finished', rows: 1, rowLength: 64, rank: 1, values: new Float32Array(64).fill(Number.POSITIVE_INFINITY) },
  { why: 'the last rank of a row', rows: 4, rowLength: 257, rank: 257, values: keys(4, 257, 6, 0, KTH_KEY_MAX + 1) },
  {
    why: 'a 224x224x3 row, keys spread over every high bin',
    rows: 1,
    rowLength: 224 * 224 * 3,
    rank: Math.floor(0.25 * (224 * 224 * 3 - 1)) + 1,
    values: keys(1, 224 * 224 * 3, 7, 0, KTH_KEY_MAX + 1, (i) => i % 7 === 0),
  },
];

describe('kth-key', () => {
  gpuTest.for(CASES)('matches kthKeyRef and sorting: $why', async ({ rows, rowLength, rank, values }, { device }) => {
    const input = uploadBuffer(device, values, 'keys');
    const output = uploadBuffer(device, new Float32Array(rows + 2).fill(-3), 'output');
    await runKernel(device, kthKey, { params: { rows, rowLength, rank }, keys: input, output });
    const got = Array.from(await readFloat32(device, output, rows + 2));
    const want = Array.from(kthKeyRef(values, rows, rowLength, rank));
    expect(got.slice(0, rows)).toEqual(want);
    expect(want).toEqual(bySorting(values, rows, rowLength, rank));
    expect(got.slice(rows)).toEqual([-3, -3]); // nothing past the rows
    [input, output].forEach((b) => releaseBuffer(device, b));
    expect(liveBufferCount(device)).toBe(0);
  });

  gpuTest('NaN, negatives and values above the largest key count as +Inf', async ({ device }) => {
    const values = Float32Array.from([NaN, -1, KTH_KEY_MAX + 1, 5, 2, Number.POSITIVE_INFINITY]);
    const input = uploadBuffer(device, values, 'keys');
    const output = uploadBuffer(device, new Float32Array(3), 'output');
    for (const [rank, want] of [
      [1, 2],
      [2, 5],
      [3, Number.POSITIVE_INFINITY],
    ] as const) {
      await runKernel(device, kthKey, { params: { rows: 1, rowLength: 6, rank }, keys: input, output });
      expect((await readFloat32(device, output, 1))[0]).toBe(want);
      expect(kthKeyRef(values, 1, 6, rank)[0]).toBe(want);
    }
    [input, output].forEach((b) => releaseBuffer(device, b));
  });
});

describe('kthKeyRef', () => {
  it('picks the rank-th smallest key, ties counted', () => {
    expect(Array.from(kthKeyRef([3, 1, 1, Number.POSITIVE_INFINITY], 1, 4, 3))).toEqual([3]);
    expect(Array.from(kthKeyRef([3, 1, 1, 2, 0, 0], 2, 3, 2))).toEqual([1, 0]);
  });
});
