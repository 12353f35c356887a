// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '@webxai/shaders';
import { felzenszwalb, felzenszwalbGraph, felzenszwalbMerge } from './felzenszwalb.js';
import { compactLabels } from './connectivity.js';
import { gaussianFilter } from './lab.js';
import { stableAscendingOrder } from './stable-order.js';
import { ScratchArrays, ScratchLease } from './scratch-arrays.js';

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

  it('orders keys whose high 32 bits tie by their low bits, ties by index (short runs and long ones)', () => {
    const next = uniform(9);
    // k ulps above a base: one high word per base for k < 2^32 (the low word holds the ulps).
    const ulpsAbove = (base: number, k: number) => base + k * base * 2 ** -52;
    const keys = Float64Array.from({ length: 3000 }, (_, i) => {
      const k = Math.floor(next() * 40);
      if (i % 3 === 0) return ulpsAbove(1.5, k); // one long run of ~1000
      return ulpsAbove(0.25 + Math.floor(next() * 300) / 7, k % 4); // ~300 short runs
    });
    expect(new Set(keys).size).toBeLessThan(keys.length / 2); // equal keys too
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

interface Image {
  readonly values: Float64Array;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/**
 * The uncontracted graph of session 29, independent of felzenszwalbGraph: every edge of the
 * smoothed image (right, down, down-right, up-right of each pixel in raster order = index order),
 * in the comparator order (cost, then index).
 */
function referenceEdges({ values, height, width, channels }: Image) {
  const image = gaussianFilter(values, height, width, channels, 0.8);
  const from: number[] = [];
  const to: number[] = [];
  const cost: number[] = [];
  const add = (a: number, b: number) => {
    let d = 0;
    for (let c = 0; c < channels; c++) d += (image[a * channels + c]! - image[b * channels + c]!) ** 2;
    from.push(a);
    to.push(b);
    cost.push(Math.sqrt(d));
  };
  for (let p = 0; p < height * width; p++) {
    const [y, x] = [Math.floor(p / width), p % width];
    if (x + 1 < width) add(p, p + 1);
    if (y + 1 < height) add(p, p + width);
    if (x + 1 < width && y + 1 < height) add(p, p + width + 1);
    if (x + 1 < width && y > 0) add(p, p - width + 1);
  }
  const order = comparatorOrder(Float64Array.from(cost));
  return { pixels: height * width, from: order.map((e) => from[e]!), to: order.map((e) => to[e]!), cost: order.map((e) => cost[e]!) };
}

/** A union-find over `pixels` with recursive path compression and the merge's join rule (under the larger, ties under a). */
function unionFind(pixels: number) {
  const parent = Int32Array.from({ length: pixels }, (_, i) => i);
  const size = new Int32Array(pixels).fill(1);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const join = (a: number, b: number) => {
    if (size[a]! < size[b]!) [a, b] = [b, a];
    parent[b] = a;
    size[a] = size[a]! + size[b]!;
    return a;
  };
  return { size, find, join };
}

/**
 * Felzenszwalb's merge passes as written before the zero-cost merges and the contraction (session
 * 29): a fresh union-find over the pixels, every edge of both passes.
 */
function plainMerge(image: Image, scale: number, minSize: number): { labels: Int32Array; count: number } {
  const { pixels, from, to, cost } = referenceEdges(image);
  const k = scale / 255;
  const { size, find, join } = unionFind(pixels);
  const threshold = new Float64Array(pixels).fill(k);
  for (let e = 0; e < cost.length; e++) {
    const [a, b, w] = [find(from[e]!), find(to[e]!), cost[e]!];
    if (a !== b && w <= threshold[a]! && w <= threshold[b]!) {
      const r = join(a, b);
      threshold[r] = w + k / size[r]!;
    }
  }
  for (let e = 0; e < cost.length; e++) {
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
  it('contracts the zero-cost components to nodes and keeps the other edges between nodes in the comparator order (cost, then index)', () => {
    for (const image of [blocks(), ringOnFlat()]) {
      const graph = felzenszwalbGraph(image.values, image.height, image.width, image.channels, 0.8);
      const edges = referenceEdges(image);
      // Nodes: the components of the zero-cost edges, numbered by first pixel.
      const zero = unionFind(edges.pixels);
      edges.cost.forEach((w, e) => w === 0 && zero.join(zero.find(edges.from[e]!), zero.find(edges.to[e]!)));
      const nodes = compactLabels(Int32Array.from({ length: edges.pixels }, (_, i) => zero.find(i)));
      expect(Array.from(graph.node)).toEqual(Array.from(nodes.labels));
      const sizes = new Array<number>(nodes.count).fill(0);
      for (const n of nodes.labels) sizes[n]!++;
      expect(Array.from(graph.nodeSize)).toEqual(sizes);
      // Edges: the rest in merge order, between different nodes, their ends as nodes.
      const kept = edges.cost.flatMap((w, e) => {
        const [a, b] = [nodes.labels[edges.from[e]!]!, nodes.labels[edges.to[e]!]!];
        return w > 0 && a !== b ? [[a, b, w]] : [];
      });
      expect(Array.from(graph.edges.from)).toEqual(kept.map(([a]) => a));
      expect(Array.from(graph.edges.to)).toEqual(kept.map(([, b]) => b));
      expect(Array.from(graph.edges.cost)).toEqual(kept.map(([, , w]) => w));
    }
  });

  it('has far fewer nodes and edges than pixels and grid edges on a flat background', () => {
    const image = ringOnFlat();
    const graph = felzenszwalbGraph(image.values, image.height, image.width, image.channels, 0.8);
    const gridEdges = referenceEdges(image).cost.length;
    expect(graph.nodeSize.length).toBeLessThan(graph.node.length / 2);
    expect(graph.edges.cost.length).toBeLessThan(gridEdges * 0.6); // the flat background's 48% of zero costs are out
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

  it('gives the labels of the plain merge (fresh union-find over the pixels, every edge) at every scale, zero too', () => {
    for (const image of [blocks(), ringOnFlat(), flatBands()]) {
      const graph = felzenszwalbGraph(image.values, image.height, image.width, image.channels, 0.8);
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
        [0, 0],
        [1e9, 20],
      ] as const) {
        const want = plainMerge(image, scale, minSize);
        expect({ scale, minSize, ...felzenszwalbMerge(graph, scale, minSize) }).toEqual({ scale, minSize, ...want });
      }
    }
  });
});

describe('scratch arrays', () => {
  it('one ScratchArrays through images of different sizes (big, small, big again; grey and RGB): the graphs and labels of fresh arrays', () => {
    const scratch = new ScratchArrays();
    const images = [blocks(), ringOnFlat(), flatBands(), blocks(), ringOnFlat()];
    for (const [i, image] of images.entries()) {
      const { values, height, width, channels } = image;
      const fresh = felzenszwalbGraph(values, height, width, channels, 0.8);
      const reused = felzenszwalbGraph(values, height, width, channels, 0.8, scratch);
      expect({ i, ...reused }).toEqual({ i, ...fresh });
      const labels = scratch.int32('test labels', height * width).fill(-7); // stale values must be overwritten
      for (const scale of [50, 500, 0]) {
        const want = felzenszwalbMerge(fresh, scale, 20);
        const got = felzenszwalbMerge(reused, scale, 20, scratch, labels);
        expect(got.labels).toBe(labels);
        expect({ i, scale, ...got }).toEqual({ i, scale, ...want });
      }
    }
  });

  it('a graph built into lent arrays equals a fresh one; a lease lends its arrays to one user at a time', () => {
    const lease = new ScratchLease();
    const into = lease.take();
    expect(lease.take()).not.toBe(into); // taken while out: new arrays
    for (const { values, height, width, channels } of [blocks(), ringOnFlat(), blocks()]) {
      const lent = felzenszwalbGraph(values, height, width, channels, 0.8, new ScratchArrays(), into);
      expect(lent.edges.cost.buffer).toBe(into.float64('graphCost', 0).buffer);
      expect(lent).toEqual(felzenszwalbGraph(values, height, width, channels, 0.8));
    }
    lease.give(into);
    expect(lease.take()).toBe(into);
  });

  it('gives views over kept memory, grown when a call needs more; stableAscendingOrder with one gives the order without', () => {
    const scratch = new ScratchArrays();
    const small = scratch.int32('a', 4);
    small.set([1, 2, 3, 4]);
    expect(scratch.int32('a', 3).buffer).toBe(small.buffer); // kept
    expect(Array.from(scratch.int32('a', 3))).toEqual([1, 2, 3]);
    expect(scratch.int32('a', 8).buffer).not.toBe(small.buffer); // grown
    expect(scratch.float64('b', 2).buffer).not.toBe(scratch.uint32('c', 2).buffer); // one buffer per slot
    const next = uniform(11);
    for (const length of [5000, 70, 3000]) {
      const keys = Float64Array.from({ length }, () => (next() < 0.3 ? 0 : Math.floor(next() * 50) / 7));
      expect(Array.from(stableAscendingOrder(keys, scratch))).toEqual(comparatorOrder(keys));
    }
  });
});

describe('felzenszwalb', () => {
  it('rejects a scale the zero-cost merges do not hold for (negative, NaN, infinite) with an InvalidOptionError', () => {
    const { values, height, width, channels } = flatBands();
    for (const scale of [-30, NaN, Infinity]) {
      expect(() => felzenszwalb(values, height, width, channels, { scale })).toThrow(InvalidOptionError);
    }
    expect(() => felzenszwalb(values, height, width, channels, { scale: 0 })).not.toThrow();
  });
});
