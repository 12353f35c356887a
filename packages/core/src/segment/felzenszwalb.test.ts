// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { felzenszwalb, felzenszwalbGraph, felzenszwalbMerge } from './felzenszwalb.js';
import { stableAscendingOrder } from './stable-order.js';

/** The order the radix sort must reproduce (Felzenszwalb's comparator sort before it): by key, ties by index. */
function comparatorOrder(keys: Float64Array): number[] {
  return Array.from(Int32Array.from(keys.keys()).sort((a, b) => keys[a]! - keys[b]! || a - b));
}

/** Deterministic pseudo-random numbers in [0, 1). */
function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('stableAscendingOrder', () => {
  it('orders by key, ties by index, over every exponent and bit of the keys (radix path)', () => {
    const next = uniform(7);
    const keys = Float64Array.from({ length: 5000 }, (_, i) => {
      if (i % 7 === 0) return 0; // many exact ties
      if (i % 11 === 0) return Math.round(next() * 4) / 4; // ties among non-zero keys
      if (i % 13 === 0) return Infinity;
      return next() * 2 ** Math.floor(next() * 80 - 40); // exponents from 2^-40 to 2^40
    });
    expect(Array.from(stableAscendingOrder(keys))).toEqual(comparatorOrder(keys));
  });

  it('puts -0 with +0 (index order), as the comparator does', () => {
    const keys = Float64Array.of(1, -0, 0.5, 0, -0, 2);
    expect(Array.from(stableAscendingOrder(keys))).toEqual([1, 3, 4, 2, 0, 5]);
  });

  it('NaN or negative keys: the comparator order', () => {
    const withNaN = Float64Array.of(3, NaN, 1, 2, NaN, 0);
    expect(Array.from(stableAscendingOrder(withNaN))).toEqual(comparatorOrder(withNaN));
    const negative = Float64Array.of(3, -1, 1, -2, 0, 1);
    expect(Array.from(stableAscendingOrder(negative))).toEqual([3, 1, 4, 2, 5, 0]);
  });

  it('empty and single keys', () => {
    expect(Array.from(stableAscendingOrder(new Float64Array(0)))).toEqual([]);
    expect(Array.from(stableAscendingOrder(Float64Array.of(5)))).toEqual([0]);
  });
});

/** A 30 x 40 x 3 image of flat blocks (exactly tied zero-cost edges) and noisy ones. */
function blocks(): { values: Float64Array; height: number; width: number; channels: number } {
  const [height, width, channels] = [30, 40, 3];
  const next = uniform(3);
  const values = Float64Array.from({ length: height * width * channels }, (_, i) => {
    const p = Math.floor(i / channels);
    const block = (Math.floor(p / width / 10) + Math.floor((p % width) / 10)) % 3;
    return block === 0 ? 0.25 : block === 1 ? 0.75 : next();
  });
  return { values, height, width, channels };
}

describe('felzenszwalbGraph', () => {
  it("walks a smoothed image's edges in the comparator order (cost, then index)", () => {
    const { values, height, width, channels } = blocks();
    const graph = felzenszwalbGraph(values, height, width, channels, 0.8);
    expect(graph.cost.length).toBe(4 * height * width - 3 * height - 3 * width + 2);
    expect(Array.from(graph.order)).toEqual(comparatorOrder(graph.cost));
  });
});

describe('felzenszwalbMerge', () => {
  it('leaves the graph as it was: one graph merged at several scales (XRAI) gives each scale its own labels', () => {
    const { values, height, width, channels } = blocks();
    const graph = felzenszwalbGraph(values, height, width, channels, 0.8);
    const shared = [500, 50, 150].map((scale) => felzenszwalbMerge(graph, scale, 20));
    const fresh = [500, 50, 150].map((scale) => felzenszwalb(values, height, width, channels, { scale, sigma: 0.8, minSize: 20 }));
    expect(shared).toEqual(fresh);
    expect(new Set(fresh.map((f) => f.count)).size).toBe(3); // the scales do differ on this image
  });
});
