// SPDX-License-Identifier: Apache-2.0
import { compactLabels } from './connectivity.js';
import { gaussianFilter } from './lab.js';
import { stableAscendingOrder } from './stable-order.js';
import type { OptionNames } from '../api/option-names.js';

/** Options of Felzenszwalb's graph segmentation (skimage.segmentation.felzenszwalb's names and defaults). */
export interface FelzenszwalbOptions {
  /** Higher means larger segments (the k of the paper, for values in [0, 255]). Default 1. */
  readonly scale?: number;
  /** Gaussian pre-smoothing. Default 0.8. */
  readonly sigma?: number;
  /** Smallest segment, in pixels, enforced after the merge pass. Default 20. */
  readonly minSize?: number;
}

/** Option names of felzenszwalb (checked against FelzenszwalbOptions by the compiler; other names are rejected). */
export const FELZENSZWALB_OPTION_NAMES: OptionNames<FelzenszwalbOptions> = { scale: true, sigma: true, minSize: true };

/**
 * The smoothed image's 8-connected grid graph with its edges in merge order (cost, then index):
 * everything of Felzenszwalb's segmentation that does not depend on the scale, so several scales of
 * one image (XRAI's six) smooth, build, sort and merge the zero-cost edges once
 * ({@link felzenszwalbMerge} per scale).
 */
export interface FelzenszwalbGraph {
  readonly pixels: number;
  /** The edges by index: endpoints and weight. */
  readonly from: Int32Array;
  readonly to: Int32Array;
  readonly cost: Float64Array;
  /** Edge indices by ascending cost, ties by index (the order the merge passes walk). */
  readonly order: Int32Array;
  /**
   * The edges in merge order (edge `order[i]` at i): both endpoints and the cost, so the merge
   * passes read memory front to back instead of gathering from the edge arrays.
   */
  readonly sorted: { readonly from: Int32Array; readonly to: Int32Array; readonly cost: Float64Array };
  /** The union-find after the leading zero-cost edges of {@link order}: the same at every scale. */
  readonly zeroCost: ZeroCostMerge;
}

/**
 * The first pass over the leading zero-cost edges, done once for all scales. A zero-cost edge always
 * merges (0 <= every threshold, which is w + k / |C| >= 0 for k >= 0), whatever the scale, so these
 * merges and their union-find (roots, sizes) are scale-independent; every threshold after them is
 * 0 + k / |C| = k / |C|. The second pass finds both ends of these edges in one component and skips them.
 */
interface ZeroCostMerge {
  /** How many edges of the merge order have cost exactly 0 (they come first). */
  readonly edges: number;
  readonly parent: Int32Array;
  readonly size: Int32Array;
}

/** Union-find root of `i`; the path from `i` is then compressed onto it. */
function findRoot(parent: Int32Array, i: number): number {
  let r = i;
  while (parent[r] !== r) r = parent[r]!;
  while (parent[i] !== r) {
    const next = parent[i]!;
    parent[i] = r;
    i = next;
  }
  return r;
}

/** Joins roots `a` and `b` under the larger (ties: under `a`); returns the new root. */
function joinRoots(parent: Int32Array, size: Int32Array, a: number, b: number): number {
  if (size[a]! < size[b]!) {
    const t = a;
    a = b;
    b = t;
  }
  parent[b] = a;
  size[a] = size[a]! + size[b]!;
  return a;
}

/**
 * Gaussian smoothing per channel, then an edge to the right, down, down-right and up-right of
 * every pixel (each pair once), weighted by the Euclidean colour distance.
 */
export function felzenszwalbGraph(
  values: ArrayLike<number>,
  height: number,
  width: number,
  channels: number,
  sigma: number,
): FelzenszwalbGraph {
  const image = gaussianFilter(values, height, width, channels, sigma);
  const pixels = height * width;
  // right h(w-1), down (h-1)w, and the two diagonals of each of the (h-1)(w-1) cells
  const edges = pixels ? 4 * pixels - 3 * width - 3 * height + 2 : 0;
  const from = new Int32Array(edges);
  const to = new Int32Array(edges);
  const cost = new Float64Array(edges);
  let e = 0;
  const add = (a: number, b: number) => {
    let d = 0;
    for (let c = 0; c < channels; c++) {
      const diff = image[a * channels + c]! - image[b * channels + c]!;
      d += diff * diff;
    }
    from[e] = a;
    to[e] = b;
    cost[e++] = Math.sqrt(d);
  };
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      if (x + 1 < width) add(p, p + 1);
      if (y + 1 < height) add(p, p + width);
      if (x + 1 < width && y + 1 < height) add(p, p + width + 1);
      if (x + 1 < width && y > 0) add(p, p - width + 1);
    }
  const order = stableAscendingOrder(cost);
  const sorted = { from: new Int32Array(edges), to: new Int32Array(edges), cost: new Float64Array(edges) };
  for (let i = 0; i < edges; i++) {
    const edge = order[i]!;
    sorted.from[i] = from[edge]!;
    sorted.to[i] = to[edge]!;
    sorted.cost[i] = cost[edge]!;
  }
  return { pixels, from, to, cost, order, sorted, zeroCost: mergeZeroCost(pixels, sorted) };
}

/** {@link ZeroCostMerge} of edges in merge order. */
function mergeZeroCost(pixels: number, sorted: FelzenszwalbGraph['sorted']): ZeroCostMerge {
  const parent = new Int32Array(pixels);
  for (let i = 0; i < pixels; i++) parent[i] = i;
  const size = new Int32Array(pixels).fill(1);
  let edges = 0;
  for (; edges < sorted.cost.length && sorted.cost[edges] === 0; edges++) {
    const a = findRoot(parent, sorted.from[edges]!);
    const b = findRoot(parent, sorted.to[edges]!);
    if (a !== b) joinRoots(parent, size, a, b);
  }
  return { edges, parent, size };
}

/**
 * Kruskal-style merging of `graph` while w <= Int(C) + scale / |C| (scale divided by 255 for
 * [0, 1] values), then components smaller than `minSize` merged along the cheapest edges.
 */
export function felzenszwalbMerge(graph: FelzenszwalbGraph, scale: number, minSize: number): { labels: Int32Array; count: number } {
  const { pixels, sorted, zeroCost } = graph;
  const { from, to, cost } = sorted;
  const edges = cost.length;
  const k = scale / 255;
  // The zero-cost edges' merges hold for any k >= 0 (see ZeroCostMerge); a negative k starts afresh.
  const first = k >= 0 ? zeroCost.edges : 0;
  const parent = first ? zeroCost.parent.slice() : Int32Array.from({ length: pixels }, (_, i) => i);
  const size = first ? zeroCost.size.slice() : new Int32Array(pixels).fill(1);
  // Only roots' thresholds are read: k / |C| is 0 + k / |C| after zero-cost merges, and k itself for singletons.
  const threshold = new Float64Array(pixels);
  for (let i = 0; i < pixels; i++) threshold[i] = k / size[i]!;
  for (let i = first; i < edges; i++) {
    const a = findRoot(parent, from[i]!);
    const b = findRoot(parent, to[i]!);
    const w = cost[i]!;
    if (a !== b && w <= threshold[a]! && w <= threshold[b]!) {
      const r = joinRoots(parent, size, a, b);
      threshold[r] = w + k / size[r]!;
    }
  }
  for (let i = first; i < edges; i++) {
    const a = findRoot(parent, from[i]!);
    const b = findRoot(parent, to[i]!);
    if (a !== b && (size[a]! < minSize || size[b]! < minSize)) joinRoots(parent, size, a, b);
  }
  const roots = new Int32Array(pixels);
  for (let i = 0; i < pixels; i++) roots[i] = findRoot(parent, i);
  return compactLabels(roots);
}

/**
 * Felzenszwalb & Huttenlocher, "Efficient Graph-Based Image Segmentation" (IJCV 2004), on the CPU
 * (a sort and a union-find: sequential by nature, so no GPU version), as skimage: Gaussian
 * smoothing per channel, an 8-connected grid graph weighted by the Euclidean colour distance,
 * Kruskal-style merging while w <= Int(C) + scale / |C| (scale divided by 255 for [0, 1] values),
 * then components smaller than `minSize` merged along the cheapest edges.
 *
 * @param values HWC image, already mapped to the range the scale refers to ([0, 1] in skimage).
 */
export function felzenszwalb(
  values: ArrayLike<number>,
  height: number,
  width: number,
  channels: number,
  options: FelzenszwalbOptions = {},
): { labels: Int32Array; count: number } {
  const { scale = 1, sigma = 0.8, minSize = 20 } = options;
  return felzenszwalbMerge(felzenszwalbGraph(values, height, width, channels, sigma), scale, minSize);
}
