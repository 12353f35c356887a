// SPDX-License-Identifier: Apache-2.0
import { gaussianFilter } from './lab.js';
import { stableAscendingOrder } from './stable-order.js';
import { ScratchArrays } from './scratch-arrays.js';
import type { OptionNames } from '../api/option-names.js';
import { numberOption } from '../api/options.js';
import { mergeInWasm } from './wasm/felzenszwalb-merge.js';

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
 * The smoothed image's 8-connected grid graph, contracted to the components of its zero-cost edges:
 * everything of Felzenszwalb's segmentation that does not depend on the scale, so several scales of
 * one image (XRAI's six) smooth, build, merge the zero-cost edges and sort once
 * ({@link felzenszwalbMerge} per scale).
 *
 * A zero-cost edge always merges (0 <= every threshold, which is w + k / |C| >= 0 for k >= 0),
 * whatever the scale, so its merge is scale-independent (70% of an MNIST digit's edges at 224).
 * Each component of those edges is one node here, with its pixel count; every threshold after the
 * zero-cost merges is 0 + k / |C| = k / |C|. Edges inside a node join nothing in either pass (both
 * ends are one component from the start) and are left out. The merge decisions hang only on
 * component sizes and on which end an edge names first, never on which pixel is a root, so the
 * merge of the nodes makes the same partition as the merge of the pixels.
 */
export interface FelzenszwalbGraph {
  /** The node of every pixel; nodes are numbered by their first pixel. */
  readonly node: Int32Array;
  /** Pixels per node. */
  readonly nodeSize: Int32Array;
  /**
   * The edges of non-zero cost between different nodes, in merge order (cost, then the grid edge's
   * index: right, down, down-right, up-right of each pixel in raster order); ends as nodes.
   */
  readonly edges: { readonly from: Int32Array; readonly to: Int32Array; readonly cost: Float64Array };
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
 * Joins the components of `a` and `b` in a union-find. The two cases of nearly every zero-cost
 * edge of a flat area, walked in raster order, take no walk to the roots: both ends under one
 * parent (one component), or both parents roots (a new pixel meets its neighbour's component).
 * That was a quarter of an MNIST digit's graph time at 224, most edges there costing 0.
 */
function joinPixels(parent: Int32Array, size: Int32Array, a: number, b: number): void {
  const pa = parent[a]!;
  const pb = parent[b]!;
  if (pa === pb) return;
  if (parent[pa] === pa && parent[pb] === pb) {
    joinRoots(parent, size, pa, pb);
    return;
  }
  const ra = findRoot(parent, a);
  const rb = findRoot(parent, b);
  if (ra !== rb) joinRoots(parent, size, ra, rb);
}

/** `parent` set to singletons of a union-find. */
function identity(parent: Int32Array): Int32Array {
  for (let i = 0; i < parent.length; i++) parent[i] = i;
  return parent;
}

/**
 * Gaussian smoothing per channel, then an edge to the right, down, down-right and up-right of
 * every pixel (each pair once), weighted by the Euclidean colour distance; contracted to the
 * components of the zero-cost edges (see {@link FelzenszwalbGraph}). The temporaries live in
 * `scratch` (a caller segmenting image after image passes the same one: no fresh arrays for them);
 * the graph's own arrays are new, or views of `into`'s (valid until its next graph: a caller that
 * keeps its graph across awaits lends `into` to one graph at a time, see ScratchLease).
 */
export function felzenszwalbGraph(
  values: ArrayLike<number>,
  height: number,
  width: number,
  channels: number,
  sigma: number,
  scratch = new ScratchArrays(),
  into?: ScratchArrays,
): FelzenszwalbGraph {
  const grid = gridEdges(gaussianFilter(values, height, width, channels, sigma, scratch), height, width, channels, scratch);
  const { node, nodeSize } = zeroCostNodes(grid.parent, grid.size, scratch, into);
  return { node, nodeSize, edges: contractedEdges(grid, node, scratch, into) };
}

/** An Int32Array of `length`: new, or slot `slot` of `into`. */
function int32Of(into: ScratchArrays | undefined, slot: string, length: number): Int32Array {
  return into ? into.int32(slot, length) : new Int32Array(length);
}

/**
 * The grid's edges of `image`: those of cost exactly 0 joined in a union-find as they come (their
 * order does not matter: only the components are kept), the others listed in index order.
 */
function gridEdges(image: Float64Array, height: number, width: number, channels: number, scratch: ScratchArrays) {
  const pixels = height * width;
  // right h(w-1), down (h-1)w, and the two diagonals of each of the (h-1)(w-1) cells
  const edges = pixels ? 4 * pixels - 3 * width - 3 * height + 2 : 0;
  const from = scratch.int32('gridFrom', edges);
  const to = scratch.int32('gridTo', edges);
  const cost = scratch.float64('gridCost', edges);
  const parent = identity(scratch.int32('gridParent', pixels));
  const size = scratch.int32('gridSize', pixels).fill(1);
  let e = 0;
  const add = (a: number, b: number) => {
    let d = 0;
    for (let c = 0; c < channels; c++) {
      const diff = image[a * channels + c]! - image[b * channels + c]!;
      d += diff * diff;
    }
    const w = Math.sqrt(d);
    if (w === 0) {
      joinPixels(parent, size, a, b);
      return;
    }
    from[e] = a;
    to[e] = b;
    cost[e++] = w;
  };
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      if (x + 1 < width) add(p, p + 1);
      if (y + 1 < height) add(p, p + width);
      if (x + 1 < width && y + 1 < height) add(p, p + width + 1);
      if (x + 1 < width && y > 0) add(p, p - width + 1);
    }
  return { parent, size, from: from.subarray(0, e), to: to.subarray(0, e), cost: cost.subarray(0, e) };
}

/** Node of every pixel (components of the union-find, numbered by first pixel) and node sizes. */
function zeroCostNodes(
  parent: Int32Array,
  size: Int32Array,
  scratch: ScratchArrays,
  into: ScratchArrays | undefined,
): { node: Int32Array; nodeSize: Int32Array } {
  const { component, roots } = numberedComponents(parent, int32Of(into, 'graphNode', parent.length), scratch);
  const nodeSize = int32Of(into, 'graphNodeSize', roots.length);
  roots.forEach((root, n) => (nodeSize[n] = size[root]!));
  return { node: component, nodeSize };
}

/**
 * Every element's component in a union-find, numbered 0, 1, ... in order of each component's first
 * element, into `component` (one per element), and each component's root (a view into `scratch`).
 */
function numberedComponents(
  parent: Int32Array,
  component: Int32Array,
  scratch: ScratchArrays,
): { component: Int32Array; roots: Int32Array } {
  const length = parent.length;
  const numberOfRoot = scratch.int32('numberOfRoot', length).fill(-1);
  const roots = scratch.int32('roots', length);
  let count = 0;
  for (let i = 0; i < length; i++) {
    const root = findRoot(parent, i);
    if (numberOfRoot[root]! < 0) {
      numberOfRoot[root] = count;
      roots[count++] = root;
    }
    component[i] = numberOfRoot[root]!;
  }
  return { component, roots: roots.subarray(0, count) };
}

/** The non-zero edges between different nodes, as nodes, in merge order (cost, then index). */
function contractedEdges(
  grid: { readonly from: Int32Array; readonly to: Int32Array; readonly cost: Float64Array },
  node: Int32Array,
  scratch: ScratchArrays,
  into: ScratchArrays | undefined,
): FelzenszwalbGraph['edges'] {
  const from = scratch.int32('edgeFrom', grid.cost.length);
  const to = scratch.int32('edgeTo', grid.cost.length);
  const cost = scratch.float64('edgeCost', grid.cost.length);
  let kept = 0;
  for (let e = 0; e < grid.cost.length; e++) {
    const a = node[grid.from[e]!]!;
    const b = node[grid.to[e]!]!;
    if (a === b) continue;
    from[kept] = a;
    to[kept] = b;
    cost[kept++] = grid.cost[e]!;
  }
  const order = stableAscendingOrder(cost.subarray(0, kept), scratch);
  const sorted = {
    from: int32Of(into, 'graphFrom', kept),
    to: int32Of(into, 'graphTo', kept),
    cost: into ? into.float64('graphCost', kept) : new Float64Array(kept),
  };
  for (let i = 0; i < kept; i++) {
    const e = order[i]!;
    sorted.from[i] = from[e]!;
    sorted.to[i] = to[e]!;
    sorted.cost[i] = cost[e]!;
  }
  return sorted;
}

/**
 * Kruskal-style merging of `graph` while w <= Int(C) + scale / |C| (scale divided by 255 for
 * [0, 1] values), then components smaller than `minSize` merged along the cheapest edges.
 * `scale` >= 0: the graph's zero-cost merges hold only then ({@link felzenszwalb} checks it).
 * Runs in WebAssembly (felzenszwalb.wat, its graph copied once into a kept memory) where the
 * engine has it, else in JS with a union-find in `scratch` (pass the graph's to reuse it): the same
 * labels either way ({@link lastMergePath} says which ran). The labels go to `labels` (one per
 * pixel; a new array by default).
 */
export function felzenszwalbMerge(
  graph: FelzenszwalbGraph,
  scale: number,
  minSize: number,
  scratch = new ScratchArrays(),
  labels: Int32Array = new Int32Array(graph.node.length),
): { labels: Int32Array; count: number } {
  const k = scale / 255;
  const count = mergeInWasm(graph, k, minSize, labels);
  lastMerge = count === undefined ? 'js' : 'wasm';
  return count === undefined ? mergeInJs(graph, k, minSize, scratch, labels) : { labels, count };
}

/** Which code ran the last {@link felzenszwalbMerge}: felzenszwalb.wat, or its JS fallback (same labels). */
export function lastMergePath(): 'wasm' | 'js' | undefined {
  return lastMerge;
}
let lastMerge: 'wasm' | 'js' | undefined;

/** {@link felzenszwalbMerge} in JS, with a union-find (where WebAssembly is not there). */
function mergeInJs(
  graph: FelzenszwalbGraph,
  k: number,
  minSize: number,
  scratch: ScratchArrays,
  labels: Int32Array,
): { labels: Int32Array; count: number } {
  const { from, to, cost } = graph.edges;
  const edges = cost.length;
  const nodes = graph.nodeSize.length;
  const parent = identity(scratch.int32('mergeParent', nodes));
  const size = scratch.int32('mergeSize', nodes);
  size.set(graph.nodeSize);
  // Only roots' thresholds are read: k / |C| is 0 + k / |C| after zero-cost merges, and k itself for singletons.
  const threshold = scratch.float64('threshold', nodes);
  for (let i = 0; i < nodes; i++) threshold[i] = k / size[i]!;
  for (let i = 0; i < edges; i++) {
    const a = findRoot(parent, from[i]!);
    const b = findRoot(parent, to[i]!);
    const w = cost[i]!;
    if (a !== b && w <= threshold[a]! && w <= threshold[b]!) {
      const r = joinRoots(parent, size, a, b);
      threshold[r] = w + k / size[r]!;
    }
  }
  joinSmall(graph.edges, parent, size, minSize);
  return pixelLabels(graph.node, parent, scratch, labels);
}

/**
 * Felzenszwalb's second pass: along the edges in order, components smaller than `minSize` join
 * their neighbour. Only a join with a small component happens here, so once none is left the
 * rest of the edges change nothing and are not walked.
 */
function joinSmall(edges: FelzenszwalbGraph['edges'], parent: Int32Array, size: Int32Array, minSize: number): void {
  let small = 0;
  for (let i = 0; i < parent.length; i++) if (parent[i] === i && size[i]! < minSize) small++;
  const { from, to } = edges;
  for (let i = 0; i < from.length && small > 0; i++) {
    const a = findRoot(parent, from[i]!);
    const b = findRoot(parent, to[i]!);
    if (a === b) continue;
    const smallEnds = (size[a]! < minSize ? 1 : 0) + (size[b]! < minSize ? 1 : 0);
    if (smallEnds === 0) continue;
    const r = joinRoots(parent, size, a, b);
    small -= smallEnds - (size[r]! < minSize ? 1 : 0);
  }
}

/**
 * Labels 0 .. count - 1 of the pixels' components in order of first appearance, as compactLabels
 * of the roots would give: nodes are numbered by first pixel, so a component's first pixel is the
 * first pixel of its lowest node, and numbering the components along the nodes gives that order.
 */
function pixelLabels(
  node: Int32Array,
  parent: Int32Array,
  scratch: ScratchArrays,
  labels: Int32Array,
): { labels: Int32Array; count: number } {
  const { component: labelOfNode, roots } = numberedComponents(parent, scratch.int32('labelOfNode', parent.length), scratch);
  for (let p = 0; p < node.length; p++) labels[p] = labelOfNode[node[p]!]!;
  return { labels, count: roots.length };
}

/**
 * Felzenszwalb & Huttenlocher, "Efficient Graph-Based Image Segmentation" (IJCV 2004), on the CPU
 * (a sort and a union-find: sequential by nature, so no GPU version), as skimage: Gaussian
 * smoothing per channel, an 8-connected grid graph weighted by the Euclidean colour distance,
 * Kruskal-style merging while w <= Int(C) + scale / |C| (scale divided by 255 for [0, 1] values),
 * then components smaller than `minSize` merged along the cheapest edges.
 *
 * @param values HWC image, already mapped to the range the scale refers to ([0, 1] in skimage).
 * @throws {InvalidOptionError} for a scale that is not a finite number >= 0.
 */
export function felzenszwalb(
  values: ArrayLike<number>,
  height: number,
  width: number,
  channels: number,
  options: FelzenszwalbOptions = {},
): { labels: Int32Array; count: number } {
  const { sigma = 0.8, minSize = 20 } = options;
  // segment() asks for scale > 0; here 0 is fine too, a negative scale breaks the zero-cost merges.
  const scale = numberOption('felzenszwalb', 'scale', options.scale, 1, 0);
  const scratch = new ScratchArrays();
  return felzenszwalbMerge(felzenszwalbGraph(values, height, width, channels, sigma, scratch), scale, minSize, scratch);
}
