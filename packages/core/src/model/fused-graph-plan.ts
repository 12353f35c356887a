// SPDX-License-Identifier: Apache-2.0
// Which nodes of a GraphModel fused-relu-graph.ts runs as its own ops inside webxai's gradient
// passes, and how the graph is cut around them. GraphModel.execute accepts a feed at any node and
// stops there, so the graph runs segment by segment: each segment executes up to a taken node's
// input, the node runs as webxai's op, and its output is fed on. A node that one segment computes
// and a later one needs again (the skip input of a residual Add, MobileNetV2's blocks) is fetched
// as an extra output of the first segment and fed too, so that no node runs twice; a graph where
// that does not settle, or where a fetched node has several outputs, runs as tfjs runs it.
import type * as tf from '@tensorflow/tfjs';
import { graphNodes, type GraphNodeLike } from './split/graph-program.js';

/** What follows the node's BiasAdd: relu runs inside the fused kernel, relu6 as tf.relu6 after it. */
export type NodeActivation = 'linear' | 'relu' | 'relu6';

/** A `_FusedConv2D` / `FusedDepthwiseConv2dNative` node of BiasAdd (+ Relu / Relu6) run by webxai: its data input and geometry. */
export interface FusedNode {
  readonly name: string;
  readonly kind: 'conv' | 'depthwise';
  readonly activation: NodeActivation;
  readonly input: string;
  readonly filter: string;
  readonly bias: string;
  readonly strides: [number, number];
  readonly pad: 'same' | 'valid';
}

/** One segment: the nodes to fetch with one execute (the node's input first, then what later segments need), then the node. */
export interface GraphSegment {
  readonly fetch: readonly string[];
  readonly node?: FusedNode;
}

const KINDS: Record<string, FusedNode['kind']> = { _FusedConv2D: 'conv', FusedDepthwiseConv2dNative: 'depthwise' };
const ACTIVATIONS: Record<string, NodeActivation> = { biasadd: 'linear', 'biasadd,relu': 'relu', 'biasadd,relu6': 'relu6' };

const attr = (node: GraphNodeLike, name: string): unknown => node.attrParams[name]?.value;

/** The node as a {@link FusedNode} when it is a NHWC, dilation-1 fused conv / depthwise node of BiasAdd (+ Relu / Relu6) over constant weights. */
export function fusedNodeOf(node: GraphNodeLike): FusedNode | undefined {
  const kind = KINDS[node.op];
  if (!kind || node.inputs.length !== 3) return undefined;
  const [input, filter, bias] = node.inputs as [GraphNodeLike, GraphNodeLike, GraphNodeLike];
  const fusedOps = attr(node, 'fusedOps');
  const activation = Array.isArray(fusedOps) ? ACTIVATIONS[fusedOps.join()] : undefined;
  const strides = attr(node, 'strides');
  const pad = attr(node, 'pad');
  const dilations = attr(node, 'dilations');
  const dataFormat = attr(node, 'dataFormat') ?? 'NHWC';
  if (pad !== 'same' && pad !== 'valid') return undefined; // explicit padding: tfjs's
  const ok =
    activation !== undefined &&
    typeof dataFormat === 'string' &&
    dataFormat.toUpperCase() === 'NHWC' &&
    Array.isArray(strides) &&
    strides.length === 4 &&
    (!Array.isArray(dilations) || dilations.every((d) => d === 1)) &&
    filter.op === 'Const' &&
    bias.op === 'Const';
  if (!ok) return undefined;
  const geometry: Pick<FusedNode, 'strides' | 'pad'> = { strides: [Number(strides[1]), Number(strides[2])], pad };
  return { name: node.name, kind, activation, input: input.name, filter: filter.name, bias: bias.name, ...geometry };
}

/** The nodes the executor computes for `name` when `fed` are given: its ancestors (and itself) short of the fed nodes and the weights. */
function computed(nodes: Record<string, GraphNodeLike>, name: string, fed: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (node: GraphNodeLike) => {
    if (seen.has(node.name) || fed.has(node.name) || node.op === 'Const') return;
    seen.add(node.name);
    node.inputs.forEach(visit);
    out.push(node.name);
  };
  const root = nodes[name];
  if (root) visit(root);
  return out;
}

/**
 * The segments for `targets` (each taken node's input, then the output) with `extras[i]` fetched too:
 * undefined when every node is computed once, else the extras to add (a node computed by an earlier
 * segment and again by a later one, keyed by the earlier segment).
 */
function recomputed(
  nodes: Record<string, GraphNodeLike>,
  inputName: string,
  plan: readonly FusedNode[],
  targets: readonly string[],
  extras: readonly Set<string>[],
): Map<number, string> | undefined {
  const fed = new Set([inputName]);
  const firstIn = new Map<string, number>();
  const clashes = new Map<number, string>();
  targets.forEach((target, i) => {
    const fetch = [target, ...extras[i]!];
    for (const name of fetch.flatMap((f) => computed(nodes, f, fed))) {
      const first = firstIn.get(name);
      if (first === undefined) firstIn.set(name, i);
      else if (first !== i) clashes.set(first, name);
    }
    fetch.forEach((f) => fed.add(f));
    if (plan[i]) fed.add(plan[i].name);
  });
  return clashes.size > 0 ? clashes : undefined;
}

/**
 * Nodes whose output other than the first is read (`split:1`): a feed carries one tensor per name,
 * so such a node cannot be fetched and fed (the converter's Node keeps its inputs' names in inputNames).
 */
function multiOutputNodes(nodes: Record<string, GraphNodeLike>): Set<string> {
  const names = Object.values(nodes).flatMap((node) => (node as { inputNames?: readonly string[] }).inputNames ?? []);
  return new Set(names.flatMap((name) => /^([^^].*):([1-9]\d*)$/.exec(name)?.slice(1, 2) ?? []));
}

/**
 * The fusable nodes in execution order cut into segments that compute every node once (see the
 * file comment); [] when there is nothing to take or no such cut (the graph runs as tfjs runs it).
 */
export function fusedSegments(model: tf.GraphModel, inputName: string, outputName: string): GraphSegment[] {
  let nodes: Record<string, GraphNodeLike>;
  try {
    nodes = graphNodes(model);
  } catch {
    return []; // not tfjs-converter 4.22's graph: nothing to fuse, the graph runs as tfjs runs it
  }
  const plan = computed(nodes, outputName, new Set([inputName])).flatMap((name) => {
    const fused = fusedNodeOf(nodes[name]!);
    return fused ? [fused] : [];
  });
  if (plan.length === 0) return [];
  const targets = [...plan.map((p) => p.input), outputName];
  const extras = targets.map(() => new Set<string>());
  // Each round adds at least one extra output; a graph has fewer nodes than that bound.
  for (let round = 0; round <= Object.keys(nodes).length; round++) {
    const clashes = recomputed(nodes, inputName, plan, targets, extras);
    if (!clashes) {
      const multi = multiOutputNodes(nodes);
      if ([...targets, ...extras.flatMap((e) => [...e])].some((name) => multi.has(name))) return [];
      return targets.map((target, i) => ({ fetch: [target, ...extras[i]!], ...(plan[i] && { node: plan[i] }) }));
    }
    clashes.forEach((name, segment) => extras[segment]!.add(name));
  }
  return [];
}
