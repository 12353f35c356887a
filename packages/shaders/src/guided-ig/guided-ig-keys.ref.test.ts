// SPDX-License-Identifier: Apache-2.0
// guided-ig-keys.wgsl runs inside guided-ig-step, whose GPU test compares it with guidedIgStepRef bit
// for bit; this test checks the keys' reference itself against a plain sort.
import { describe, expect, it } from 'vitest';
import { seededF32, seededInts } from '@webxai/testing';
import { GUIDED_IG_KEY_BITS, guidedIgKeysRef, guidedIgRankedKeyRef } from './guided-ig-keys.ref.js';

/** A selection problem: gradients, finished (x == x_max) where `finished(i)`. */
function problem(rows: number, rowLength: number, rank: number, gradient: Float32Array, finished: (i: number) => boolean = () => false) {
  return { rows, rowLength, rank, gradient, finished };
}
type Problem = ReturnType<typeof problem>;

/** The features the references select per row: not finished and key <= the rank-th smallest key (1 / 0). */
function byReference(p: Problem): number[] {
  const out: number[] = [];
  const keys = new Float64Array(p.rowLength);
  for (let r = 0; r < p.rows; r++) {
    const base = r * p.rowLength;
    guidedIgKeysRef(p.gradient, base, (i) => p.finished(base + i), keys);
    const threshold = guidedIgRankedKeyRef(keys, p.rank);
    for (const key of keys) out.push(key <= threshold ? 1 : 0);
  }
  return out;
}

/** The same by sorting (what core's tfjs ops do with topk): keys sorted, the rank-th, key <= it and not finished. */
function bySorting(p: Problem): number[] {
  const out: number[] = [];
  for (let r = 0; r < p.rows; r++) {
    const row = Array.from({ length: p.rowLength }, (_, i) => r * p.rowLength + i);
    const scale = row.reduce((m, i) => (p.finished(i) ? m : Math.max(m, Math.abs(p.gradient[i]!))), 0);
    const cell = Math.fround((scale > 0 ? scale : 1) * 2 ** -GUIDED_IG_KEY_BITS);
    const key = (i: number) => (p.finished(i) ? Infinity : Math.round(Math.fround(Math.abs(p.gradient[i]!) / cell)));
    const threshold = row.map(key).sort((a, b) => a - b)[p.rank - 1]!;
    for (const i of row) out.push(!p.finished(i) && key(i) <= threshold ? 1 : 0);
  }
  return out;
}

/** Gradients on a coarse grid (many exact ties) times `scale`. */
const coarse = (length: number, seed: number, scale: number) =>
  Float32Array.from(seededInts(length, seed, -20, 21), (l) => (l / 20) * scale);

const CASES = [
  { why: 'a 32x32x3 image, fraction 0.25', p: problem(1, 3072, 768, seededF32(3072, 1, -1, 1)) },
  { why: 'ties on a coarse grid, 3 rows', p: problem(3, 700, 175, coarse(2100, 2, 3e-3)) },
  { why: 'finished features among the smallest', p: problem(2, 999, 400, seededF32(1998, 3, -5, 5), (i) => i % 3 === 0) },
  { why: 'fewer unfinished features than the rank', p: problem(2, 100, 60, seededF32(200, 4), (i) => i % 2 === 0) },
  { why: 'a whole row finished', p: problem(1, 64, 1, seededF32(64, 5), () => true) },
  { why: 'all gradients zero (every key 0)', p: problem(2, 50, 13, new Float32Array(100)) },
  { why: 'tiny gradients (1e-30)', p: problem(1, 500, 125, seededF32(500, 6, -1e-30, 1e-30)) },
  { why: 'the last rank of a row', p: problem(4, 257, 257, seededF32(1028, 7)) },
];

describe('guidedIgKeysRef and guidedIgRankedKeyRef', () => {
  it.for(CASES)('select what sorting the keys selects: $why', ({ p }) => {
    expect(byReference(p)).toEqual(bySorting(p));
  });

  it('select keys up to the rank-th smallest, ties together, finished features never', () => {
    const select = (gradient: number[], finished: number[], rank: number) =>
      byReference(problem(1, gradient.length, rank, Float32Array.from(gradient), (i) => finished.includes(i)));
    expect(select([3, 1, 1, 2], [], 2)).toEqual([0, 1, 1, 0]);
    expect(select([3, 1, 1, 2], [1], 1)).toEqual([0, 0, 1, 0]);
    expect(select([0, 0, 0], [], 1)).toEqual([1, 1, 1]);
  });
});
