// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { felzenszwalb, felzenszwalbGraph, felzenszwalbMerge, type FelzenszwalbGraph } from './felzenszwalb.js';
import { compactLabels } from './connectivity.js';
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

/**
 * Felzenszwalb's merge passes as written before the zero-cost prefix and the sorted edge arrays
 * (session 29): a fresh union-find, every edge of both passes gathered through `order`.
 */
function plainMerge(graph: FelzenszwalbGraph, scale: number, minSize: number): { labels: Int32Array; count: number } {
  const { pixels, from, to, cost, order } = graph;
  const k = scale / 255;
  const parent = Int32Array.from({ length: pixels }, (_, i) => i);
  const size = new Int32Array(pixels).fill(1);
  const threshold = new Float64Array(pixels).fill(k);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const join = (a: number, b: number) => {
    if (size[a]! < size[b]!) [a, b] = [b, a];
    parent[b] = a;
    size[a] = size[a]! + size[b]!;
    return a;
  };
  for (const e of order) {
    const [a, b, w] = [find(from[e]!), find(to[e]!), cost[e]!];
    if (a !== b && w <= threshold[a]! && w <= threshold[b]!) {
      const r = join(a, b);
      threshold[r] = w + k / size[r]!;
    }
  }
  for (const e of order) {
    const [a, b] = [find(from[e]!), find(to[e]!)];
    if (a !== b && (size[a]! < minSize || size[b]! < minSize)) join(a, b);
  }
  return compactLabels(Int32Array.from({ length: pixels }, (_, i) => find(i)));
}

/** A 64 x 48 x 1 image: flat background (exactly tied zero-cost edges after smoothing), a ring, a ramp. */
function ringOnFlat(): { values: Float64Array; height: number; width: number; channels: number } {
  const [height, width] = [64, 48];
  const next = uniform(11);
  const values = Float64Array.from({ length: height * width }, (_, p) => {
    const [y, x] = [Math.floor(p / width), p % width];
    const d = Math.hypot(y - 30, x - 20);
    if (d > 8 && d < 14) return 0.6 + 0.4 * next();
    return y > 52 ? (x / width) * 0.5 : -1;
  });
  return { values, height, width, channels: 1 };
}

/** A 40 x 60 x 1 image of three flat bands a small step apart: whether they merge hangs on k / |C|. */
function flatBands(): { values: Float64Array; height: number; width: number; channels: number } {
  const [height, width] = [40, 60];
  return {
    values: Float64Array.from({ length: height * width }, (_, p) => 0.03 * Math.floor((p % width) / 20)),
    height,
    width,
    channels: 1,
  };
}

describe('felzenszwalbGraph', () => {
  it("walks a smoothed image's edges in the comparator order (cost, then index)", () => {
    const { values, height, width, channels } = blocks();
    const graph = felzenszwalbGraph(values, height, width, channels, 0.8);
    expect(graph.cost.length).toBe(4 * height * width - 3 * height - 3 * width + 2);
    expect(Array.from(graph.order)).toEqual(comparatorOrder(graph.cost));
  });

  it('keeps the edges in merge order, and the union-find of the leading zero-cost edges', () => {
    const { values, height, width, channels } = ringOnFlat();
    const graph = felzenszwalbGraph(values, height, width, channels, 0.8);
    const { order, sorted } = graph;
    expect(Array.from(sorted.from)).toEqual(Array.from(order, (e) => graph.from[e]));
    expect(Array.from(sorted.to)).toEqual(Array.from(order, (e) => graph.to[e]));
    expect(Array.from(sorted.cost)).toEqual(Array.from(order, (e) => graph.cost[e]));
    const zeros = graph.cost.filter((c) => c === 0).length;
    expect(zeros).toBeGreaterThan(graph.cost.length / 3); // the flat background (48%)
    expect(graph.zeroCost.edges).toBe(zeros);
    // Component sizes of the zero-cost subgraph: the roots' sizes add up to every pixel.
    const roots = Array.from({ length: graph.pixels }, (_, i) => i).filter((i) => graph.zeroCost.parent[i] === i);
    expect(roots.reduce((s, r) => s + graph.zeroCost.size[r]!, 0)).toBe(graph.pixels);
    expect(roots.length).toBeLessThan(graph.pixels / 2);
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

  it('gives the labels of the plain merge (fresh union-find, every edge) at every scale, negative and zero too', () => {
    for (const { values, height, width, channels } of [blocks(), ringOnFlat(), flatBands()]) {
      const graph = felzenszwalbGraph(values, height, width, channels, 0.8);
      for (const [scale, minSize] of [
        [50, 150],
        [100, 150],
        [150, 150],
        [250, 150],
        [500, 150],
        [1200, 150],
        [20, 20],
        [3, 20],
        [0, 20],
        [-30, 20],
      ] as const) {
        const want = plainMerge(graph, scale, minSize);
        expect({ scale, ...felzenszwalbMerge(graph, scale, minSize) }).toEqual({ scale, ...want });
      }
    }
  });
});
