// SPDX-License-Identifier: Apache-2.0
// owenValues' lookahead (levels the next batches take whole scored with the current one, f(empty)
// in the first batch) changes how many scorer calls run one after another, never what is computed.
import { describe, expect, it } from 'vitest';
import { seededF32 } from '@webxai/testing';
import { owenValues, type CoalitionScorer } from './owen.js';
import { iota, partitionTree, treeOrdered } from './partition-tree.js';

/** A score with interactions: weighted features, plus a bonus when features 0 and 1 are both on. */
function interacting(features: number): { score: CoalitionScorer; calls: number[] } {
  const weights = seededF32(features, 5, -1, 1);
  const calls: number[] = [];
  const score: CoalitionScorer = (masks, rows) => {
    calls.push(rows);
    return Promise.resolve(
      Float64Array.from({ length: rows }, (_, r) => {
        const row = masks.subarray(r * features, (r + 1) * features);
        let s = 0;
        for (let f = 0; f < features; f++) s += weights[f]! * row[f]!;
        return s + 2 * row[0]! * row[1]! - Math.sqrt(row.reduce((a, b) => a + b, 0));
      }),
    );
  };
  return { score, calls };
}

describe('owenValues lookahead', () => {
  // Features on a 4 x (features / 4) grid.
  const tree = (features: number) => {
    const cols = features / 4;
    const cy = Float64Array.from(iota(features), (f) => Math.floor(f / cols));
    const cx = Float64Array.from(iota(features), (f) => f % cols);
    return treeOrdered(partitionTree(cy, cx, features)).tree;
  };

  it.for([
    [16, 100, 64],
    [16, 1000, 8],
    [32, 40, 16],
    [48, 500, 64],
    [64, 100, 64],
    [64, 13, 5],
    [12, 60, 2],
  ] as const)(
    'features %i, maxEvals %i, batchSize %i: the same values, evaluations and f(empty) as level by level',
    async ([features, maxEvals, batchSize]) => {
      const t = tree(features);
      const plain = interacting(features);
      const want = await owenValues(t, features, undefined, 1.5, maxEvals, batchSize, plain.score, undefined, true, false);
      const fast = interacting(features);
      const got = await owenValues(t, features, undefined, 1.5, maxEvals, batchSize, fast.score);
      expect(got).toEqual(want);
      expect(want.f00).toBe(0); // nothing switched on
      // The same rows in all (each evaluated once), in fewer calls.
      expect(fast.calls.reduce((a, b) => a + b)).toBe(plain.calls.reduce((a, b) => a + b));
      expect(fast.calls.length).toBeLessThan(plain.calls.length);
      // No bigger batches (the first has f(empty)'s row more).
      const [first, ...rest] = fast.calls;
      expect(Math.max(first! - 1, ...rest)).toBeLessThanOrEqual(Math.max(...plain.calls));
    },
  );

  it('maxEvals 100, batch 64 (the browser bench): 2 calls instead of 6 (f(empty), then 2, 8, 32, 58 rows)', async () => {
    const plain = interacting(64);
    await owenValues(tree(64), 64, undefined, 1, 100, 64, plain.score, undefined, true, false);
    const fast = interacting(64);
    await owenValues(tree(64), 64, undefined, 1, 100, 64, fast.score);
    expect(plain.calls).toEqual([1, 2, 8, 32, 58]);
    expect(fast.calls).toEqual([43, 58]);
  });
});
