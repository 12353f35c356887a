// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { seededF32 } from '@webxai/testing';
import { descendingOrder, descendingRanks } from './order.js';

/** The definition, written plainly: a stable comparator sort. */
const reference = (s: ArrayLike<number>) => Array.from({ length: s.length }, (_, i) => i).sort((a, b) => s[b]! - s[a]! || a - b);

describe('descendingOrder', () => {
  it('sorts by descending score with ties by ascending index, like a stable comparator sort', () => {
    expect(Array.from(descendingOrder([0.5, 0.1, 0.5, 0.9]))).toEqual([3, 0, 2, 1]);
    expect(Array.from(descendingOrder([-0, 0, -1, Infinity, -Infinity, 1e-30, -1e-30]))).toEqual([3, 5, 0, 1, 6, 2, 4]);
    const random = seededF32(50_000, 3, -2, 2);
    // coarse values force many ties
    const coarse = Float32Array.from(random, (v) => Math.round(v * 8) / 8);
    for (const s of [random, coarse]) expect(Array.from(descendingOrder(s))).toEqual(reference(s));
    // A small map after a large one: the reused scratch arrays' stale tail must not leak in.
    expect(Array.from(descendingOrder([0.5, 0.1, 0.5, 0.9]))).toEqual([3, 0, 2, 1]);
  });

  it('ranks invert the order', () => {
    const s = seededF32(1000, 5);
    const order = descendingOrder(s);
    const ranks = descendingRanks(s);
    for (let r = 0; r < order.length; r++) expect(ranks[order[r]!]).toBe(r);
  });
});
