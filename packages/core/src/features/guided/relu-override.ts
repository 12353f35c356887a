// SPDX-License-Identifier: Apache-2.0
// A model's forward pass with the gradient of every ReLU replaced (guided backprop, deconvnet), built
// per call from tf.customGrad: nothing global changes (no kernel or gradient registry edits), so
// other models and plain gradients of this model are unaffected. LayersModels are walked layer by
// layer through the split machinery's program; a layer whose activation is ReLU gets a replacement
// activation object for the duration of its (synchronous) call and its own one back in `finally`.
// GraphModels are fed at each Relu node: execute up to the node's input, apply the replacement,
// feed the result on. A ReLU fused into a convolution / matmul node (_FusedConv2D...) is split off
// for that execution: the node runs without its activation, the replacement is applied, and the
// result is fed as the node's output.
import * as tf from '@tensorflow/tfjs';
import { UnsupportedModelError } from '@webxai/shaders';
import { reluGradient } from '../../interop/fused-relu-gradient.js';
import { FUSED_RELU_LAYERS_FLAG, fusableReluLayer, fusedReluLayer, type ReluBackward } from '../../model/fused-relu-layers.js';
import { executionOrder, graphNodes, type GraphNodeLike } from '../../model/split/graph-program.js';
import { layersProgram, runStep, type Step } from '../../model/split/layers-program.js';
import type { ModelInput } from '../../model/types.js';

/** How the backward pass treats a ReLU `y = relu(z)` (upstream gradient `g`). */
export type ReluGradient =
  /** Springenberg et al. 2015: `g * (z > 0) * (g > 0)`. */
  | 'guided'
  /** Zeiler & Fergus 2014: `g * (g > 0)`, the forward mask ignored. */
  | 'deconvnet';

/**
 * How guided backprop / deconvnet pass a gradient `dy` back through an uncapped ReLU, from its input
 * or output `y` (step(relu(z)) = step(z)): relu(dy) * step(y), the plain ReLU gradient of relu(dy)
 * (one relu-grad dispatch on software adapters instead of Step + Multiply, the same bits), or relu(dy).
 */
function reluBackward(mode: ReluGradient): ReluBackward {
  return mode === 'deconvnet' ? (dy) => tf.relu(dy) : (dy, y) => reluGradient(tf.relu(dy), y);
}

/** A ReLU (optionally capped at `maxValue`, e.g. ReLU6) whose gradient follows `mode`. */
export function overriddenRelu(mode: ReluGradient, maxValue?: number): (z: tf.Tensor) => tf.Tensor {
  const backward = reluBackward(mode);
  return tf.customGrad<tf.Tensor<tf.Rank>>((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    (args[1] as tf.GradSaveFunc)([input]);
    const value = maxValue === undefined ? tf.relu(input) : tf.clipByValue(input, 0, maxValue);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const pre = saved[0]!;
      if (mode === 'deconvnet' || maxValue === undefined) return backward(dy, pre);
      // Where the capped ReLU passed its input: 0 < z < maxValue.
      return tf.mul(tf.relu(dy), tf.mul(tf.step(pre), tf.step(tf.sub(maxValue, pre))));
    };
    return { value, gradFunc };
  });
}

/** A forward pass with overridden ReLU gradients, and the layers / nodes whose ReLU it overrides. */
export interface OverriddenForward {
  readonly forward: (x: tf.Tensor4D) => tf.Tensor2D;
  readonly relus: readonly string[];
}

interface ActivationLike {
  getClassName(): string;
  apply(x: tf.Tensor): tf.Tensor;
}
type LayerWithActivation = Step['layer'] & { activation?: ActivationLike | null; maxValue?: number | null };

const CAPS: Readonly<Record<string, number | undefined>> = { relu: undefined, relu6: 6 };

/** How a layer applies a ReLU: through its `activation` (Conv2D, Dense, Activation...) or as a ReLU layer. */
function reluOf(layer: LayerWithActivation): { via: 'activation' | 'layer'; maxValue: number | undefined } | undefined {
  if (layer.getClassName() === 'ReLU') return { via: 'layer', maxValue: layer.maxValue ?? undefined };
  const name = layer.activation?.getClassName();
  if (name !== undefined && name in CAPS) return { via: 'activation', maxValue: CAPS[name] };
  return undefined;
}

function runOverridden(step: Step, values: Map<string, tf.Tensor>, relu: (z: tf.Tensor) => tf.Tensor, via: 'activation' | 'layer'): void {
  if (via === 'layer') {
    values.set(step.outputs[0]!, relu(values.get(step.inputs[0]!)!));
    return;
  }
  const layer = step.layer as LayerWithActivation;
  const own = layer.activation!;
  // A class name tfjs does not map to a fused kernel, so Conv2D / Dense call apply() on it.
  layer.activation = { getClassName: () => 'webxai-overridden-relu', apply: relu };
  try {
    runStep(step, values);
  } finally {
    layer.activation = own;
  }
}

function layersForward(model: tf.LayersModel, mode: ReluGradient): OverriddenForward {
  const program = layersProgram(model);
  const backward = reluBackward(mode);
  const plan = program.steps.map((step) => {
    const relu = reluOf(step.layer);
    // A relu Conv2D / Dense runs as its one fused kernel with the mode's ReLU gradient
    // (model/fused-relu-layers.ts) rather than as a linear fused kernel and a separate overridden ReLU.
    const fusable = relu?.via === 'activation' && fusableReluLayer(step.layer);
    return { step, fusable, relu: relu && { via: relu.via, fn: overriddenRelu(mode, relu.maxValue) } };
  });
  const relus = plan.filter((p) => p.relu).map((p) => p.step.layer.name);
  const forward = (x: tf.Tensor4D) => {
    const values = new Map<string, tf.Tensor>([[program.inputKey, x]]);
    const fuses = tf.env().getBool(FUSED_RELU_LAYERS_FLAG);
    for (const { step, fusable, relu } of plan) {
      const fused = fusable && fuses ? fusedReluLayer(step.layer, values.get(step.inputs[0]!)!, backward) : undefined;
      if (fused) values.set(step.outputs[0]!, fused);
      else if (relu) runOverridden(step, values, relu.fn, relu.via);
      else runStep(step, values);
    }
    return values.get(program.outputKey) as tf.Tensor2D;
  };
  return { forward, relus };
}

const baseName = (name: string) => name.replace(/:0$/, '');

/** ReLU-like activations by the name tfjs-converter gives them (lower-cased), and their cap. */
const GRAPH_CAPS: Readonly<Record<string, number | undefined>> = { relu: undefined, relu6: 6 };

/**
 * How a graph node applies a ReLU: as its own op (Relu / Relu6), fused into a `_FusedConv2D`,
 * `FusedDepthwiseConv2dNative` or `_FusedMatMul` (fusedOps [extra op, activation]), or not at all.
 */
function graphReluOf(node: GraphNodeLike): { fusedOps?: string[]; maxValue: number | undefined } | undefined {
  if (node.op === 'Relu' || node.op === 'Relu6') return { maxValue: node.op === 'Relu6' ? 6 : undefined };
  const fusedOps = node.attrParams['fusedOps']?.value;
  if (!Array.isArray(fusedOps)) return undefined;
  const activation = String(fusedOps[1] ?? '');
  return activation in GRAPH_CAPS ? { fusedOps: fusedOps.map(String), maxValue: GRAPH_CAPS[activation] } : undefined;
}

/**
 * The node's input to its ReLU. A fused node is executed with its activation left out of
 * `fusedOps` (the converter reads attrParams at every execution) for this synchronous call only,
 * and gets its own list back in `finally`.
 */
function preActivation(model: tf.GraphModel, feeds: tf.NamedTensorMap, node: GraphNodeLike, fusedOps: string[] | undefined): tf.Tensor {
  if (!fusedOps) return model.execute({ ...feeds }, node.inputs[0]!.name) as tf.Tensor;
  const attr = node.attrParams['fusedOps']!;
  attr.value = fusedOps.slice(0, 1);
  try {
    return model.execute({ ...feeds }, node.name) as tf.Tensor;
  } finally {
    attr.value = fusedOps;
  }
}

function graphForward(model: tf.GraphModel, mode: ReluGradient): OverriddenForward {
  const nodes = graphNodes(model, 'guided backprop / deconvnet need it to find the ReLUs');
  const inputName = baseName(model.inputs[0]!.name);
  const outputName = baseName(model.outputs[0]!.name);
  const plan = executionOrder(nodes, outputName).flatMap((node) => {
    const relu = graphReluOf(node);
    return relu ? [{ node, fusedOps: relu.fusedOps, fn: overriddenRelu(mode, relu.maxValue) }] : [];
  });
  const forward = (x: tf.Tensor4D) => {
    const feeds: tf.NamedTensorMap = { [inputName]: x };
    for (const relu of plan) feeds[relu.node.name] = relu.fn(preActivation(model, feeds, relu.node, relu.fusedOps));
    return model.execute(feeds, outputName) as tf.Tensor2D;
  };
  return { forward, relus: plan.map((p) => p.node.name) };
}

/**
 * The model's forward pass (`preprocess` first) with every ReLU's gradient replaced by `mode`.
 * @throws {UnsupportedModelError} a function or black box (no layers to walk), or a model without
 *   any ReLU.
 */
export function overriddenForward(model: ModelInput, mode: ReluGradient, preprocess?: (x: tf.Tensor4D) => tf.Tensor4D): OverriddenForward {
  let built: OverriddenForward;
  if (model instanceof tf.LayersModel) built = layersForward(model, mode);
  else if (model instanceof tf.GraphModel) built = graphForward(model, mode);
  else {
    throw new UnsupportedModelError(
      `${mode === 'guided' ? 'guided backprop' : 'deconvnet'} replaces the gradient of the model's ReLU layers, so it needs a tf.LayersModel or tf.GraphModel, not ${typeof model === 'function' ? 'a function' : 'a black box'}`,
    );
  }
  if (built.relus.length === 0) {
    throw new UnsupportedModelError(
      'the model has no ReLU (relu / relu6 activation, ReLU layer, Relu node or fused relu) whose gradient could be replaced; use saliency instead',
    );
  }
  if (!preprocess) return built;
  return { relus: built.relus, forward: (x) => built.forward(preprocess(x)) };
}
