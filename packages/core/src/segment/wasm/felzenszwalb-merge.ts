// SPDX-License-Identifier: Apache-2.0
// Runs felzenszwalb.wat's merge passes (docs/decisions/0013, addendum of session 44). The graph, the
// merge's arrays and the labels share one WebAssembly.Memory, kept between calls: a graph's edges
// are copied in once and serve every scale merged after (XRAI merges one graph at six scales).
import type { FelzenszwalbGraph } from '../felzenszwalb.js';
import { WasmModule } from '../../perturbation/shared/wasm/wasm-module.js';
import { felzenszwalbWasm } from './felzenszwalb.generated.js';

/** felzenszwalb.wat's exports (byte addresses into the memory; see the .wat for each). */
interface FelzenszwalbExports {
  merge(
    from: number,
    to: number,
    cost: number,
    edges: number,
    nodeSize: number,
    nodes: number,
    comp: number,
    next: number,
    tail: number,
    size: number,
    threshold: number,
    k: number,
  ): void;
  joinSmall(
    from: number,
    to: number,
    edges: number,
    nodes: number,
    comp: number,
    next: number,
    tail: number,
    size: number,
    minSize: number,
  ): void;
  label(node: number, pixels: number, nodes: number, comp: number, number: number, labels: number): number;
}

const module = new WasmModule<FelzenszwalbExports>(felzenszwalbWasm);

/**
 * The largest memory kept between calls, as the host batch pool's bound: a 224x224 graph needs
 * ~5 MiB; a graph that needs more than this (~640k pixels) is merged in JS instead.
 */
const MAX_BYTES = 64 * 1024 * 1024;
const PAGE = 65536;

/** Byte addresses of a graph's arrays and the merge's in the memory. */
interface Layout {
  readonly cost: number;
  readonly threshold: number;
  readonly from: number;
  readonly to: number;
  readonly node: number;
  readonly nodeSize: number;
  readonly comp: number;
  readonly next: number;
  readonly tail: number;
  readonly size: number;
  readonly number: number;
  readonly labels: number;
  readonly bytes: number;
}

/** The f64 arrays first (8-byte aligned), then the i32 ones, each right after the last. */
function layoutOf(edges: number, nodes: number, pixels: number): Layout {
  let end = 0;
  const take = (bytes: number) => ((end += bytes), end - bytes);
  return {
    cost: take(edges * 8),
    threshold: take(nodes * 8),
    from: take(edges * 4),
    to: take(edges * 4),
    node: take(pixels * 4),
    nodeSize: take(nodes * 4),
    comp: take(nodes * 4),
    next: take(nodes * 4),
    tail: take(nodes * 4),
    size: take(nodes * 4),
    number: take(nodes * 4),
    labels: take(pixels * 4),
    get bytes() {
      return end;
    },
  };
}

/** The kept memory and the graph whose arrays it holds (only that one: loading another replaces it). */
let kept: { memory: WebAssembly.Memory; holds: WeakSet<FelzenszwalbGraph> } | undefined;

/** The kept memory, grown to `bytes` (its old views are then detached: none are kept across calls). */
function memoryOf(bytes: number): { memory: WebAssembly.Memory; holds: WeakSet<FelzenszwalbGraph> } {
  const pages = Math.ceil(bytes / PAGE);
  if (!kept) kept = { memory: new WebAssembly.Memory({ initial: pages }), holds: new WeakSet() };
  const have = kept.memory.buffer.byteLength / PAGE;
  if (have < pages) kept.memory.grow(pages - have);
  return kept;
}

/** Copies `graph`'s arrays into the memory at `layout`. */
function load(graph: FelzenszwalbGraph, buffer: ArrayBuffer, layout: Layout): void {
  const { from, to, cost } = graph.edges;
  new Float64Array(buffer, layout.cost, cost.length).set(cost);
  new Int32Array(buffer, layout.from, from.length).set(from);
  new Int32Array(buffer, layout.to, to.length).set(to);
  new Int32Array(buffer, layout.node, graph.node.length).set(graph.node);
  new Int32Array(buffer, layout.nodeSize, graph.nodeSize.length).set(graph.nodeSize);
}

/**
 * felzenszwalbMerge's passes in WebAssembly: the labels of `graph` merged with threshold constant
 * `k` (scale / 255) and `minSize`, written into `labels`; returns their count. Undefined (nothing
 * written) where the engine has no WebAssembly or the graph needs more than `maxBytes` (the kept
 * memory's bound): the caller then merges in JS, with the same labels.
 */
export function mergeInWasm(
  graph: FelzenszwalbGraph,
  k: number,
  minSize: number,
  labels: Int32Array,
  maxBytes = MAX_BYTES,
): number | undefined {
  if (typeof WebAssembly !== 'object') return undefined;
  const { cost } = graph.edges;
  const nodes = graph.nodeSize.length;
  const pixels = graph.node.length;
  const layout = layoutOf(cost.length, nodes, pixels);
  if (layout.bytes > maxBytes) return undefined;
  const { memory, holds } = memoryOf(layout.bytes);
  const wasm = module.on(memory);
  if (!wasm) return undefined;
  if (!holds.has(graph)) {
    load(graph, memory.buffer, layout);
    kept = { memory, holds: new WeakSet([graph]) };
  }
  const { from, to } = layout;
  wasm.merge(
    from,
    to,
    layout.cost,
    cost.length,
    layout.nodeSize,
    nodes,
    layout.comp,
    layout.next,
    layout.tail,
    layout.size,
    layout.threshold,
    k,
  );
  wasm.joinSmall(from, to, cost.length, nodes, layout.comp, layout.next, layout.tail, layout.size, minSize);
  const count = wasm.label(layout.node, pixels, nodes, layout.comp, layout.number, layout.labels);
  labels.set(new Int32Array(memory.buffer, layout.labels, pixels));
  return count;
}
