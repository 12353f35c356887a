// SPDX-License-Identifier: Apache-2.0
// A tf.LayersModel as a flat program: every layer call (nested models walked into) becomes a step
// that reads and writes tensors by key, in topological order. Splitting at a layer is then set
// arithmetic on steps (see layers-split.ts), and a skip connection is just a key the tail reads.
import type * as tf from '@tensorflow/tfjs';
import { UnsupportedModelError } from '@webxai/shaders';
import { layerKind } from './kinds.js';
import type { LayerInfo } from './types.js';

/** The parts of tfjs-layers' SymbolicTensor / Node / Container this module reads (4.22). */
interface SymbolicTensorLike {
  readonly id: number;
  readonly shape: readonly (number | null)[];
  readonly sourceLayer: LayerLike;
  readonly nodeIndex: number;
  readonly tensorIndex: number;
}
interface NodeLike {
  readonly inputTensors: readonly SymbolicTensorLike[];
  readonly outputTensors: readonly SymbolicTensorLike[];
  readonly callArgs?: Record<string, unknown>;
}
interface LayerLike {
  readonly id: number;
  readonly name: string;
  readonly inboundNodes: readonly NodeLike[];
  getClassName(): string;
  apply(inputs: tf.Tensor | tf.Tensor[], kwargs?: Record<string, unknown>): tf.Tensor | tf.Tensor[];
}
interface ContainerLike extends LayerLike {
  readonly inputs: readonly SymbolicTensorLike[];
  readonly outputs: readonly SymbolicTensorLike[];
  readonly layers: readonly LayerLike[];
}

/** One layer call: reads `inputs`, writes `outputs` (keys). */
export interface Step {
  readonly index: number;
  readonly layer: LayerLike;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly callArgs: Record<string, unknown>;
}

/** A candidate layer with the key of the tensor it outputs. */
export interface KeyedLayer extends LayerInfo {
  readonly key: string;
}

export interface LayersProgram {
  readonly inputKey: string;
  readonly outputKey: string;
  readonly steps: readonly Step[];
  /** Every layer whose output the model's output depends on, in execution order (nested models before their layers). */
  readonly layers: readonly KeyedLayer[];
  /** Producing step of each key. */
  readonly producer: ReadonlyMap<string, Step>;
}

const isContainer = (layer: LayerLike): layer is ContainerLike =>
  Array.isArray((layer as ContainerLike).layers) &&
  Array.isArray((layer as ContainerLike).outputs) &&
  Array.isArray((layer as ContainerLike).inputs);

/** Names every layer by its path through nested models: `outer/inner`. */
function layerPaths(root: ContainerLike): Map<LayerLike, string> {
  const paths = new Map<LayerLike, string>();
  const walk = (container: ContainerLike, prefix: string) => {
    for (const layer of container.layers) {
      if (paths.has(layer)) continue;
      const path = prefix + layer.name;
      paths.set(layer, path);
      if (isContainer(layer)) walk(layer, `${path}/`);
    }
  };
  walk(root, '');
  return paths;
}

/**
 * Flattens `model` (sequential, functional, nested) into a program.
 * @throws {UnsupportedModelError} several inputs or outputs, or a nested model called more than once.
 */
export function layersProgram(model: tf.LayersModel): LayersProgram {
  const root = model as unknown as ContainerLike;
  if (root.inputs.length !== 1 || root.outputs.length !== 1) {
    throw new UnsupportedModelError(
      `LayersModel "${model.name}" has ${root.inputs.length} inputs and ${root.outputs.length} outputs; CAM needs one of each`,
    );
  }
  const paths = layerPaths(root);
  const steps: Step[] = [];
  const producer = new Map<string, Step>();
  const shapes = new Map<string, readonly (number | null)[]>();
  const alias = new Map<string, string>();
  const resolve = (key: string): string => {
    let k = key;
    while (alias.has(k)) k = alias.get(k)!;
    return k;
  };
  const entered = new Set<LayerLike>();
  const order: KeyedLayer[] = [];
  const keyOf = (scope: string, t: SymbolicTensorLike) => `${scope}#${t.id}`;

  // Evaluates the sub-graph of `container` reaching `targets`; `scope` keeps keys of separate calls apart.
  const visitGraph = (scope: string, targets: readonly SymbolicTensorLike[], visited: Set<string>) => {
    const visit = (t: SymbolicTensorLike) => {
      const key = keyOf(scope, t);
      shapes.set(key, t.shape);
      const node = t.sourceLayer.inboundNodes[t.nodeIndex];
      // An input of this (sub-)graph, fed by alias (an InputLayer's node lists its own tensor as input).
      if (!node || node.inputTensors.length === 0 || t.sourceLayer.getClassName() === 'InputLayer') return;
      const nodeId = `${scope}@${t.sourceLayer.id}:${t.nodeIndex}`;
      if (visited.has(nodeId)) return;
      visited.add(nodeId);
      node.inputTensors.forEach(visit);
      const layer = t.sourceLayer;
      const inputs = node.inputTensors.map((i) => keyOf(scope, i));
      const outputs = node.outputTensors.map((o) => keyOf(scope, o));
      node.outputTensors.forEach((o, i) => shapes.set(outputs[i]!, o.shape));
      const name = paths.get(layer) ?? layer.name;
      if (isContainer(layer)) {
        if (entered.has(layer))
          throw new UnsupportedModelError(`nested model "${name}" is called more than once; CAM cannot split a shared model`);
        entered.add(layer);
        order.push({ name, key: outputs[0]!, outputShape: node.outputTensors[0]!.shape, kind: 'model', className: layer.getClassName() });
        const inner = `${scope}/${name}`;
        layer.inputs.forEach((input, i) => alias.set(keyOf(inner, input), inputs[i]!));
        visitGraph(inner, layer.outputs, new Set());
        layer.outputs.forEach((output, i) => alias.set(outputs[i]!, keyOf(inner, output)));
        return;
      }
      const step: Step = { index: steps.length, layer, inputs, outputs, callArgs: { ...(node.callArgs ?? {}), training: false } };
      steps.push(step);
      order.push({
        name,
        key: outputs[0]!,
        outputShape: node.outputTensors[0]!.shape,
        kind: layerKind(layer.getClassName()),
        className: layer.getClassName(),
      });
    };
    targets.forEach(visit);
  };
  visitGraph('', root.outputs, new Set());

  // Keys through aliases, now that every alias is known.
  const resolvedSteps = steps.map((s) => ({ ...s, inputs: s.inputs.map(resolve), outputs: s.outputs.map(resolve) }));
  resolvedSteps.forEach((s) => s.outputs.forEach((o) => producer.set(o, s)));
  const layers: KeyedLayer[] = order.map((l) => ({ ...l, key: resolve(l.key) }));

  // Nested Sequential models added as a layer of a Sequential are flattened by tfjs itself (the
  // outer graph runs through their layers), so they are never called as a step: list them too.
  const listed = new Set(layers.map((l) => l.name));
  for (const [layer, name] of paths) {
    if (!isContainer(layer) || listed.has(name) || layer.outputs.length !== 1) continue;
    const key = resolve(keyOf('', layer.outputs[0]!));
    if (!producer.has(key)) continue;
    const first = layers.findIndex((l) => l.name.startsWith(`${name}/`));
    const entry = { name, key, outputShape: layer.outputs[0]!.shape, kind: 'model' as const, className: layer.getClassName() };
    layers.splice(first < 0 ? layers.length : first, 0, entry);
  }
  return {
    inputKey: resolve(keyOf('', root.inputs[0]!)),
    outputKey: resolve(keyOf('', root.outputs[0]!)),
    steps: resolvedSteps,
    layers,
    producer,
  };
}

/** Runs `step` on concrete tensors. */
export function runStep(step: Step, values: Map<string, tf.Tensor>): void {
  const inputs = step.inputs.map((k) => {
    const v = values.get(k);
    if (!v) throw new Error(`webxai invariant failed: layer ${step.layer.name} needs ${k}, which was not computed`);
    return v;
  });
  const out = step.layer.apply(inputs.length === 1 ? inputs[0]! : inputs, step.callArgs);
  const list = Array.isArray(out) ? out : [out];
  step.outputs.forEach((k, i) => values.set(k, list[i]!));
}
