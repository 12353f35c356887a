// SPDX-License-Identifier: Apache-2.0
// A tf.GraphModel split at a node. GraphModel.execute returns any intermediate node and accepts a
// feed at any node, so head = execute(x, [node, ...frontier]) and tail = execute({node: act,
// ...frontier}, output). The frontier holds the nodes the tail reads that do not depend on the
// node (e.g. the identity branch of a residual block); feeding them keeps the tail from
// recomputing the head, so head + tail cost one forward pass.
import * as tf from '@tensorflow/tfjs';
import { UnknownLayerError, UnsupportedModelError } from '@webxai/shaders';
import { opKind } from './kinds.js';
import type { KeyedLayer } from './layers-program.js';
import type { ModelSplit } from './types.js';

/** The parts of tfjs-converter's graph read here and by the ReLU override (4.22: GraphModel.executor.graph). */
export interface GraphNodeLike {
  readonly name: string;
  readonly op: string;
  readonly inputs: readonly GraphNodeLike[];
  readonly children: readonly GraphNodeLike[];
  /** Parsed attributes (string values lower-cased by the converter, e.g. fusedOps ['biasadd', 'relu']). */
  readonly attrParams: Record<string, { value?: unknown }>;
}

export interface GraphProgram {
  readonly model: tf.GraphModel;
  readonly inputName: string;
  readonly outputName: string;
  /** Op nodes the output depends on, in execution order, with their probed output shapes. */
  readonly layers: readonly KeyedLayer[];
}

const baseName = (name: string) => name.replace(/:0$/, '');
const SKIPPED_OPS = new Set(['Const', 'Placeholder', 'Identity', 'NoOp', 'Shape', 'StridedSlice', 'Pack']);

/**
 * The GraphModel's nodes by name.
 * @param purpose why the graph is needed, for the error message.
 * @throws {UnsupportedModelError} tfjs-converter's internals do not have the expected shape.
 */
export function graphNodes(model: tf.GraphModel, purpose = 'CAM needs it to find layers'): Record<string, GraphNodeLike> {
  const nodes = (model as unknown as { executor?: { graph?: { nodes?: Record<string, GraphNodeLike> } } }).executor?.graph?.nodes;
  if (!nodes) throw new UnsupportedModelError(`cannot read this GraphModel's graph (tfjs-converter internals changed?); ${purpose}`);
  return nodes;
}

/** Ancestors of `name` (itself included), in execution order (inputs first). */
export function executionOrder(nodes: Record<string, GraphNodeLike>, name: string): GraphNodeLike[] {
  const order: GraphNodeLike[] = [];
  const seen = new Set<string>();
  const visit = (node: GraphNodeLike) => {
    if (seen.has(node.name)) return;
    seen.add(node.name);
    node.inputs.forEach(visit);
    order.push(node);
  };
  const root = nodes[name];
  if (root) visit(root);
  return order;
}

/**
 * Lists the GraphModel's op nodes with their output shapes, found by one forward pass on zeros of
 * `[1, ...inputShape]` (graph nodes carry no shapes).
 * @throws {UnsupportedModelError} several inputs, or an unknown input size and no `inputShape`.
 */
export function graphProgram(model: tf.GraphModel, inputShape?: readonly number[]): GraphProgram {
  if (model.inputs.length !== 1) throw new UnsupportedModelError(`GraphModel has ${model.inputs.length} inputs; CAM needs one`);
  const input = model.inputs[0]!;
  const inputName = baseName(input.name);
  const outputName = baseName(model.outputs[0]!.name);
  const nodes = graphNodes(model);
  const declared = (input.shape ?? []).slice(1);
  const hwc = inputShape ?? declared;
  if (hwc.length !== 3 || hwc.some((d) => !(d > 0))) {
    throw new UnsupportedModelError(
      `GraphModel input "${inputName}" has shape [${input.shape}]; pass the input size (inputShape: [height, width, channels]) to list its layers`,
    );
  }
  const ops = executionOrder(nodes, outputName).filter((n) => !SKIPPED_OPS.has(n.op));
  const probe = tf.zeros([1, ...hwc]);
  let outputs: tf.Tensor[] = [];
  try {
    const out = model.execute(
      { [inputName]: probe },
      ops.map((n) => n.name),
    );
    outputs = Array.isArray(out) ? out : [out];
    const layers = ops.map((n, i) => ({
      name: n.name,
      key: n.name,
      outputShape: outputs[i]!.shape.map((d, axis) => (axis === 0 ? null : d)),
      kind: opKind(n.op),
      className: n.op,
    }));
    return { model, inputName, outputName, layers: layers.filter((l, i) => outputs[i]!.dtype === 'float32' && l.outputShape.length > 0) };
  } finally {
    tf.dispose([probe, ...outputs]);
  }
}

/**
 * Splits a GraphModel at `layer` (a node of `program`).
 * @throws {UnknownLayerError} the output does not depend on the node.
 */
export function splitGraphProgram(
  program: GraphProgram,
  layer: KeyedLayer,
  candidates: readonly string[],
  preprocess: ((x: tf.Tensor4D) => tf.Tensor4D) | undefined,
): ModelSplit {
  const { model, inputName, outputName } = program;
  const nodes = graphNodes(model);
  const needed = new Set(executionOrder(nodes, outputName).map((n) => n.name));
  // The tail: nodes the output needs that depend on the layer's node.
  const tail = new Set<string>();
  const stack = [...nodes[layer.key]!.children];
  while (stack.length) {
    const node = stack.pop()!;
    if (tail.has(node.name) || !needed.has(node.name)) continue;
    tail.add(node.name);
    stack.push(...node.children);
  }
  if (layer.key !== outputName && !tail.has(outputName)) {
    throw new UnknownLayerError(
      `the model's output does not depend on node '${layer.name}', so it cannot be explained from there`,
      candidates,
    );
  }
  const frontier = [
    ...new Set(
      [...tail].flatMap((name) =>
        nodes[name]!.inputs.filter((i) => !tail.has(i.name) && i.name !== layer.key && i.op !== 'Const').map((i) => i.name),
      ),
    ),
  ];
  return {
    layer: { name: layer.name, outputShape: layer.outputShape, kind: layer.kind, className: layer.className },
    head(x) {
      const list = tf.tidy(() => {
        const fed = preprocess ? preprocess(x) : x;
        const out = model.execute({ [inputName]: fed }, [layer.key, ...frontier]);
        const fetched = Array.isArray(out) ? out : [out];
        // The caller disposes the context: never hand it the caller's own input tensor.
        return fetched.map((t) => (t === x ? tf.clone(t) : t));
      });
      return { activation: list[0] as tf.Tensor4D, context: new Map(frontier.map((name, i) => [name, list[i + 1]!] as const)) };
    },
    tail(context, activation) {
      const feeds: tf.NamedTensorMap = { [layer.key]: activation };
      for (const [name, value] of context) feeds[name] = value;
      return model.execute(feeds, outputName) as tf.Tensor2D;
    },
  };
}
