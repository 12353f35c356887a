// SPDX-License-Identifier: Apache-2.0
// Why this exists: under a gradient tape tfjs 4.22 does not fuse a layer's ReLU (fused ops'
// shouldFuse: only a linear activation stays fused while recording), so each Conv2D or Dense layer
// with a relu activation costs three forward dispatches (Conv2D / MatMul, Add of the bias, Relu)
// where predict() costs one (FusedConv2D / _FusedMatMul). On the 28x28 MNIST CNN that is 6 of a
// single-image saliency's ~26 dispatches, each ~0.13 ms end to end on Dawn + lavapipe (session 22,
// where queue.submit is synchronous and grows with the dispatch count). Inside webxai's own gradient
// passes such a layer here runs as its one fused kernel with relu and bias, whose gradient with
// respect to its input is tfjs's Relu gradient (relu-grad on software adapters) and
// Conv2DBackpropInput / a MatMul with the transposed kernel: the same kernels with the same inputs as
// tfjs's unfused gradient, so the same values bit for bit (step(relu(z)) is step(z) for every z).
// Weights get no gradient (webxai differentiates inputs only), so the filter and bias gradients
// tfjs would compute and drop are not even recorded. Layers this does not cover (dilation,
// channelsFirst, causal padding, a Dense on a rank > 2 input, other activations) run as tfjs runs them.
import * as tf from '@tensorflow/tfjs';
import { reluGradient } from '../interop/fused-relu-gradient.js';
import { runStep, type Step } from './split/layers-program.js';

/**
 * tfjs env flag: true runs the relu Conv2D and Dense layers of a LayersModel (and a GraphModel's relu
 * _FusedConv2D nodes, fused-relu-graph.ts) as one fused kernel inside webxai's gradient passes,
 * guided backprop's and deconvnet's included for layers (default true on every backend); set it to
 * false to keep tfjs's unfused ops.
 */
export const FUSED_RELU_LAYERS_FLAG = 'WEBXAI_FUSED_RELU_LAYERS';

tf.env().registerFlag(FUSED_RELU_LAYERS_FLAG, () => true);

/** A tfjs-layers Conv2D or Dense as far as this file reads it. */
export interface ReluLayer {
  getClassName(): string;
  call?: (inputs: tf.Tensor | tf.Tensor[], kwargs: unknown) => tf.Tensor | tf.Tensor[];
  readonly activation?: { getClassName(): string } | null;
  readonly kernel?: { read(): tf.Tensor } | null;
  readonly bias?: { read(): tf.Tensor } | null;
  readonly strides?: number[];
  readonly padding?: string;
  readonly dataFormat?: string;
  readonly dilationRate?: number | number[];
}

/** A layer that contains layers (a nested Sequential or functional model). */
interface LayerContainer {
  readonly layers?: unknown[];
}

/** True for a relu Conv2D this file runs fused: channelsLast, 'same' / 'valid', dilation 1. */
function fusableConv(layer: ReluLayer): boolean {
  const dilations = [layer.dilationRate ?? 1].flat();
  return (
    layer.getClassName() === 'Conv2D' &&
    layer.dataFormat === 'channelsLast' &&
    (layer.padding === 'same' || layer.padding === 'valid') &&
    dilations.every((d) => d === 1)
  );
}

/** True for the layers this file runs fused: relu Conv2D (see fusableConv) and relu Dense layers. */
export function fusableReluLayer(layer: ReluLayer): boolean {
  return layer.activation?.getClassName() === 'relu' && layer.kernel != null && (fusableConv(layer) || layer.getClassName() === 'Dense');
}

/** Every fusable layer of `model`, nested models included. */
function fusableLayers(model: LayerContainer): ReluLayer[] {
  return (model.layers ?? []).flatMap((layer) => {
    if (Array.isArray((layer as LayerContainer).layers)) return fusableLayers(layer as LayerContainer);
    return fusableReluLayer(layer as ReluLayer) ? [layer as ReluLayer] : [];
  });
}

/**
 * The gradient a ReLU passes back from the gradient `dy` arriving at its output `y`: tfjs's
 * dy * step(y) (= step of its input), or guided backprop's / deconvnet's rule (features/guided).
 */
export type ReluBackward = (dy: tf.Tensor, y: tf.Tensor) => tf.Tensor;

/** The layer's fused forward kernel on `input`, and its linear part's input gradient for the ReLU's gradient `dz`. */
export interface FusedLinear {
  readonly forward: (input: tf.Tensor) => tf.Tensor;
  readonly inputGradient: (dz: tf.Tensor) => tf.Tensor;
}

/**
 * A relu Conv2D (NHWC, dilation 1) of `x` as tfjs's FusedConv2D kernel; also a GraphModel's
 * _FusedConv2D node (fused-relu-graph.ts), whose relu6 and linear nodes run it with activation 'linear'.
 */
export function convLinear(
  strides: [number, number],
  pad: 'same' | 'valid',
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor | undefined,
  activation: 'relu' | 'linear' = 'relu',
): FusedLinear {
  const attrs = { strides, pad, dataFormat: 'NHWC', dilations: [1, 1], activation };
  return {
    forward: (input) => tf.engine().runKernel('FusedConv2D', bias ? { x: input, filter, bias } : { x: input, filter }, attrs),
    inputGradient: (dz) => tf.conv2dTranspose(dz as tf.Tensor4D, filter, x.shape, strides, pad),
  };
}

function denseLinear(kernel: tf.Tensor2D, bias: tf.Tensor | undefined): FusedLinear {
  // tfjs's fused matMul op hands its kernel 3-D operands; so does this (the same kernel, same shapes).
  const [inner, units] = kernel.shape;
  const b3 = tf.reshape(kernel, [1, inner, units]);
  const attrs = { transposeA: false, transposeB: false, activation: 'relu' };
  return {
    forward: (input) => {
      const a3 = tf.reshape(input, [1, input.shape[0], inner]);
      const y = tf.engine().runKernel<tf.Tensor>('_FusedMatMul', bias ? { a: a3, b: b3, bias } : { a: a3, b: b3 }, attrs);
      return tf.reshape(y, [input.shape[0], units]);
    },
    inputGradient: (dz) => tf.matMul(dz, kernel, false, true),
  };
}

/**
 * The layer's relu(linear(x) + bias) as one fused kernel, differentiable with respect to x only, its
 * ReLU's gradient by `backward`; undefined where the layer does not take `x` (a Dense on a rank > 2 input).
 */
export function fusedReluLayer(layer: ReluLayer, x: tf.Tensor, backward: ReluBackward = reluGradient): tf.Tensor | undefined {
  const kernel = layer.kernel!.read();
  const bias = layer.bias?.read();
  let linear: FusedLinear;
  if (layer.getClassName() === 'Dense') {
    if (x.rank !== 2) return undefined;
    linear = denseLinear(kernel as tf.Tensor2D, bias);
  } else
    linear = convLinear(
      layer.strides as [number, number],
      layer.padding as 'same' | 'valid',
      x as tf.Tensor4D,
      kernel as tf.Tensor4D,
      bias,
    );
  return fusedReluOp(linear, x, backward);
}

/** `linear`'s fused kernel on `x` (relu included), differentiable with respect to x only, its ReLU's gradient by `backward`. */
export function fusedReluOp(linear: FusedLinear, x: tf.Tensor, backward: ReluBackward = reluGradient): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const value = linear.forward(input);
    save([value]);
    // The relu's gradient at its output (step(relu(z)) = step(z)), then the linear part's input gradient.
    return { value, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => linear.inputGradient(backward(dy, saved[0]!)) };
  });
  return op(x);
}

/** True inside webxai's own outermost gradient pass (tape depth 1) with the flag on: where layers (and graph nodes) fuse. */
export function fusesHere(): boolean {
  const depth = (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth;
  return depth === 1 && tf.env().getBool(FUSED_RELU_LAYERS_FLAG);
}

/**
 * One layer call of a walked program (a CAM split's tail): {@link fusedReluLayer} on `x` when the
 * layer fuses and this runs inside webxai's own outermost gradient pass with the flag on; undefined
 * when the caller should run the layer as it is.
 */
export function fusedLayerCall(layer: ReluLayer, x: tf.Tensor): tf.Tensor | undefined {
  return fusableReluLayer(layer) && fusesHere() ? fusedReluLayer(layer, x) : undefined;
}

/**
 * Runs one step of a walked layers program: as {@link fusedLayerCall} where that fuses, otherwise
 * as the layer runs (runStep). The same values and input gradient bit for bit, fewer dispatches.
 */
export function runFusableStep(step: Step, values: Map<string, tf.Tensor>): void {
  const fused = step.inputs.length === 1 ? fusedLayerCall(step.layer, values.get(step.inputs[0]!)!) : undefined;
  if (fused) values.set(step.outputs[0]!, fused);
  else runStep(step, values);
}

/**
 * `run` (a forward pass of `model`) with its relu Conv2D and Dense layers fused as
 * {@link fusedReluLayer} when it runs inside webxai's own outermost gradient (tape depth 1, as
 * skipUnneededFilterGradients) and the flag is on; otherwise `run` as is. The layers get their own
 * `call` back before this returns.
 */
export function fusedReluLayersForward(model: tf.LayersModel): <T>(run: () => T) => T {
  let layers: ReluLayer[] | undefined;
  return (run) => {
    if (!fusesHere()) return run();
    layers ??= fusableLayers(model);
    if (layers.length === 0) return run();
    const own = layers.map((layer) => Object.getOwnPropertyDescriptor(layer, 'call'));
    layers.forEach((layer) => {
      const original = layer.call!;
      layer.call = (inputs, kwargs) => {
        const x = Array.isArray(inputs) ? inputs[0]! : inputs;
        return fusedReluLayer(layer, x) ?? original.call(layer, inputs, kwargs);
      };
    });
    try {
      return run();
    } finally {
      layers.forEach((layer, i) => {
        const descriptor = own[i];
        if (descriptor) Object.defineProperty(layer, 'call', descriptor);
        else delete layer.call;
      });
    }
  };
}
