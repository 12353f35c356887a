// SPDX-License-Identifier: Apache-2.0
// fused-relu-layers.ts for a tf.GraphModel: tfjs-converter runs a `_FusedConv2D` node (fusedOps
// [BiasAdd, Relu]) through tf.fused.conv2d, which under a gradient tape unfuses into Conv2D, Add
// and Relu (three forward dispatches instead of one). Inside webxai's own outermost gradient pass
// such a node runs here as the same fused kernel with the same gradient as a fused relu Conv2D
// layer (so the same bits as tfjs's unfused ops): the graph is executed up to the node's input, the
// fused op is applied, and its output is fed on (GraphModel.execute accepts a feed at any node). The
// segments between the nodes must not share a computed node (a feed at a node only stops the
// executor there, anything else needed twice would run twice): a graph where they would, and nodes
// with another activation (Relu6: its gradient needs the pre-activation), explicit padding,
// dilation or NCHW, run as tfjs runs them.
import type * as tf from '@tensorflow/tfjs';
import { graphNodes, type GraphNodeLike } from './split/graph-program.js';
import { convLinear, fusedReluOp, fusesHere } from './fused-relu-layers.js';

/** A `_FusedConv2D` + BiasAdd + Relu node run fused: its data input and geometry. */
interface FusedNode {
  readonly name: string;
  readonly input: string;
  readonly filter: string;
  readonly bias: string;
  readonly strides: [number, number];
  readonly pad: 'same' | 'valid';
}

const baseName = (name: string) => name.replace(/:0$/, '');

const attr = (node: GraphNodeLike, name: string): unknown => node.attrParams[name]?.value;

/** The node as a {@link FusedNode} when it is a NHWC, dilation-1 `_FusedConv2D` of BiasAdd + Relu over constant weights. */
function fusedNodeOf(node: GraphNodeLike): FusedNode | undefined {
  if (node.op !== '_FusedConv2D' || node.inputs.length !== 3) return undefined;
  const [input, filter, bias] = node.inputs as [GraphNodeLike, GraphNodeLike, GraphNodeLike];
  const fusedOps = attr(node, 'fusedOps');
  const strides = attr(node, 'strides');
  const pad = attr(node, 'pad');
  const dilations = attr(node, 'dilations');
  const dataFormat = attr(node, 'dataFormat') ?? 'NHWC';
  const ok =
    Array.isArray(fusedOps) &&
    fusedOps.join() === 'biasadd,relu' &&
    typeof dataFormat === 'string' &&
    dataFormat.toUpperCase() === 'NHWC' &&
    (pad === 'same' || pad === 'valid') &&
    Array.isArray(strides) &&
    strides.length === 4 &&
    (!Array.isArray(dilations) || dilations.every((d) => d === 1)) &&
    filter.op === 'Const' &&
    bias.op === 'Const';
  if (!ok) return undefined;
  return {
    name: node.name,
    input: input.name,
    filter: filter.name,
    bias: bias.name,
    strides: [Number(strides[1]), Number(strides[2])],
    pad,
  };
}

/**
 * The names of the nodes the executor computes for `name` when `fed` are given: its ancestors (and
 * itself) short of the fed nodes and the weights.
 */
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
 * The fusable nodes in execution order, when executing the graph segment by segment between them
 * computes every node once; else none (the graph runs as tfjs runs it). Exported for its tests.
 */
export function fusedPlan(model: tf.GraphModel, inputName: string, outputName: string): FusedNode[] {
  let nodes: Record<string, GraphNodeLike>;
  try {
    nodes = graphNodes(model);
  } catch {
    return []; // not tfjs-converter 4.22's graph: nothing to fuse, the graph runs as tfjs runs it
  }
  const order = computed(nodes, outputName, new Set([inputName]));
  const plan = order.flatMap((name) => {
    const fused = fusedNodeOf(nodes[name]!);
    return fused ? [fused] : [];
  });
  const fed = new Set([inputName]);
  const seen = new Set<string>();
  for (const step of [...plan.map((p) => ({ from: p.input, feeds: p.name })), { from: outputName, feeds: undefined }]) {
    for (const name of computed(nodes, step.from, fed)) {
      if (seen.has(name)) return [];
      seen.add(name);
    }
    if (step.feeds) fed.add(step.feeds);
  }
  return plan;
}

/**
 * The GraphModel's forward pass `x -> scores` (execute to `outputName`), with its relu
 * `_FusedConv2D` nodes fused as fusedReluOp when it runs inside webxai's own outermost gradient
 * (tape depth 1) and WEBXAI_FUSED_RELU_LAYERS is on; otherwise `model.execute` as is.
 */
export function fusedReluGraphForward(model: tf.GraphModel, input: string, output: string): (x: tf.Tensor4D) => tf.Tensor {
  const [inputName, outputName] = [baseName(input), baseName(output)];
  let plan: FusedNode[] | undefined;
  return (x) => {
    if (!fusesHere()) return model.execute(x, outputName) as tf.Tensor;
    plan ??= fusedPlan(model, inputName, outputName);
    if (plan.length === 0) return model.execute(x, outputName) as tf.Tensor;
    const weights = model.weights;
    const feeds: tf.NamedTensorMap = { [inputName]: x };
    for (const node of plan) {
      const input = (feeds[node.input] ?? model.execute({ ...feeds }, node.input)) as tf.Tensor4D;
      const [filter, bias] = [weights[node.filter]![0] as tf.Tensor4D, weights[node.bias]![0]!];
      feeds[node.name] = fusedReluOp(convLinear(node.strides, node.pad, input, filter, bias), input);
    }
    return model.execute(feeds, outputName) as tf.Tensor;
  };
}
