// SPDX-License-Identifier: Apache-2.0
import { afterEach, describe, expect, it, vi } from 'vitest';
import { felzenszwalbGraph, felzenszwalbMerge, lastMergePath, type FelzenszwalbGraph } from '../felzenszwalb.js';
import { mergeInWasm } from './felzenszwalb-merge.js';

/** Deterministic pseudo-random numbers in [0, 1). */
function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * XRAI's input size: 224 x 224 with `channels`, quarters of flat colour (tied zero-cost edges),
 * noise, a smooth ramp and blocks of a few levels (tied non-zero costs).
 */
function xraiSized(channels: number, seed: number): { values: Float64Array; channels: number } {
  const next = uniform(seed);
  const values = Float64Array.from({ length: 224 * 224 * channels }, (_, i) => {
    const p = Math.floor(i / channels);
    const [y, x] = [Math.floor(p / 224), p % 224];
    if (y < 112) return x < 112 ? -1 : next() * 2 - 1;
    return x < 112 ? (x + y) / 224 - 1 : (Math.floor(x / 16 + y / 16) % 4) / 2 - 1;
  });
  return { values, channels };
}

const XRAI_SCALES = [50, 100, 150, 250, 500, 1200];

/** felzenszwalbMerge of `graph` in JS (an engine without WebAssembly). */
function mergedInJs(graph: FelzenszwalbGraph, scale: number, minSize: number) {
  vi.stubGlobal('WebAssembly', undefined);
  try {
    const labels = felzenszwalbMerge(graph, scale, minSize);
    expect(lastMergePath()).toBe('js');
    return labels;
  } finally {
    vi.unstubAllGlobals();
  }
}

describe('felzenszwalbMerge in WebAssembly (felzenszwalb.wat)', () => {
  afterEach(() => vi.unstubAllGlobals());

  it("gives the JS union-find's labels and counts bit for bit: XRAI's scales at 224 x 224, grey and RGB, and edge scales", () => {
    for (const [channels, seed] of [
      [1, 1],
      [3, 2],
    ] as const) {
      const { values } = xraiSized(channels, seed);
      const graph = felzenszwalbGraph(values, 224, 224, channels, 0.8);
      for (const [scale, minSize] of [...XRAI_SCALES.map((s) => [s, 150] as const), [0, 20], [0, 0], [3, 20], [1e9, 20]] as const) {
        const wasm = felzenszwalbMerge(graph, scale, minSize);
        expect(lastMergePath()).toBe('wasm');
        expect({ channels, scale, minSize, ...wasm }).toEqual({ channels, scale, minSize, ...mergedInJs(graph, scale, minSize) });
      }
    }
  });

  it('copies a graph in once and serves it at every scale; merging another graph in between replaces it', () => {
    const graphs = [xraiSized(1, 3), xraiSized(3, 4)].map(({ values, channels }) => felzenszwalbGraph(values, 224, 224, channels, 0.8));
    const want = graphs.map((g) => XRAI_SCALES.map((s) => mergedInJs(g, s, 150)));
    // Scale by scale, the two graphs alternating: each merge of one follows a merge of the other.
    for (const [i, scale] of XRAI_SCALES.entries())
      for (const [g, graph] of graphs.entries())
        expect({ g, scale, ...felzenszwalbMerge(graph, scale, 150) }).toEqual({ g, scale, ...want[g]![i]! });
    // Then one graph at all its scales in a row (loaded once).
    expect(XRAI_SCALES.map((s) => felzenszwalbMerge(graphs[0]!, s, 150))).toEqual(want[0]);
  });

  it('leaves a graph larger than its memory bound to the JS merge (undefined, nothing written)', () => {
    const { values } = xraiSized(1, 5);
    const graph = felzenszwalbGraph(values, 224, 224, 1, 0.8);
    const labels = new Int32Array(224 * 224).fill(-3);
    expect(mergeInWasm(graph, 100 / 255, 150, labels, 1 << 20)).toBeUndefined();
    expect(labels.every((l) => l === -3)).toBe(true);
    expect(mergeInWasm(graph, 100 / 255, 150, labels)).toBe(mergedInJs(graph, 100, 150).count);
    expect(labels).toEqual(mergedInJs(graph, 100, 150).labels);
  });
});
