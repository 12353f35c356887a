// SPDX-License-Identifier: Apache-2.0
// Why this exists: under a gradient tape tfjs 4.22 does not fuse a convolution's ReLU (fused ops'
// shouldFuse: only a linear activation stays fused while recording), so each Conv2D layer with a
// relu activation costs three forward dispatches (Conv2D, Add of the bias, Relu) where predict()
// costs one (FusedConv2D). On the 28x28 MNIST CNN that is 6 of a single-image saliency's ~26
// dispatches, each ~0.13 ms end to end on Dawn + lavapipe (session 22, where queue.submit is
// synchronous and grows with the dispatch count). Inside webxai's own gradient passes, such a layer
// here runs as one FusedConv2D with its relu and bias, whose gradient with respect to its input is
// tfjs's Relu gradient (relu-grad on software adapters) and Conv2DBackpropInput, the same kernels
// with the same inputs as tfjs's unfused gradient: the same values bit for bit (step(relu(z)) is
// step(z) for every z). Weights get no gradient (webxai differentiates inputs only), so the filter
// and bias gradients tfjs would compute and drop are not even recorded. Layers this does not cover
// (dilation, channelsFirst, causal padding, other activations) run as tfjs runs them.
import * as tf from '@tensorflow/tfjs';
import { reluGradient } from '../interop/fused-relu-gradient.js';

/**
 * tfjs env flag: true runs the relu Conv2D layers of a LayersModel as one FusedConv2D inside webxai's
 * gradient passes, guided backprop's and deconvnet's included (default true on every backend); set it
 * to false to keep tfjs's unfused ops.
 */
export const FUSED_CONV_RELU_GRADIENT_FLAG = 'WEBXAI_FUSED_CONV_RELU_GRADIENT';

tf.env().registerFlag(FUSED_CONV_RELU_GRADIENT_FLAG, () => true);

/** A tfjs-layers Conv2D as far as this file reads it. */
export interface ConvLayer {
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

/** True for the Conv2D layers this file runs fused: relu, channelsLast, 'same' / 'valid', dilation 1. */
export function fusableConvRelu(layer: ConvLayer): boolean {
  const dilations = [layer.dilationRate ?? 1].flat();
  return (
    layer.getClassName() === 'Conv2D' &&
    layer.activation?.getClassName() === 'relu' &&
    layer.dataFormat === 'channelsLast' &&
    (layer.padding === 'same' || layer.padding === 'valid') &&
    layer.kernel != null &&
    dilations.every((d) => d === 1)
  );
}

/** Every fusable Conv2D of `model`, nested models included. */
function fusableLayers(model: LayerContainer): ConvLayer[] {
  return (model.layers ?? []).flatMap((layer) => {
    if (Array.isArray((layer as LayerContainer).layers)) return fusableLayers(layer as LayerContainer);
    return fusableConvRelu(layer as ConvLayer) ? [layer as ConvLayer] : [];
  });
}

/**
 * The gradient a ReLU passes back from the gradient `dy` arriving at its output `y`: tfjs's
 * dy * step(y) (= step of its input), or guided backprop's / deconvnet's rule (features/guided).
 */
export type ReluBackward = (dy: tf.Tensor, y: tf.Tensor) => tf.Tensor;

/** relu(conv(x) + bias) as one FusedConv2D, differentiable with respect to x only, its ReLU's gradient by `backward`. */
export function convRelu(layer: ConvLayer, x: tf.Tensor4D, backward: ReluBackward = reluGradient): tf.Tensor4D {
  const filter = layer.kernel!.read() as tf.Tensor4D;
  const bias = layer.bias?.read();
  const strides = layer.strides as [number, number];
  const pad = layer.padding as 'same' | 'valid';
  const inputShape = x.shape;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, save] = args as [tf.Tensor4D, tf.GradSaveFunc];
    const attrs = { strides, pad, dataFormat: 'NHWC', dilations: [1, 1], activation: 'relu' };
    const inputs = bias ? { x: input, filter, bias } : { x: input, filter };
    const value = tf.engine().runKernel<tf.Tensor4D>('FusedConv2D', inputs, attrs);
    save([value]);
    // The relu's gradient at its output (step(relu(z)) = step(z)), then tfjs's conv2d input gradient.
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) =>
      tf.conv2dTranspose(backward(dy, saved[0]!) as tf.Tensor4D, filter, inputShape, strides, pad);
    return { value, gradFunc };
  });
  return op(x);
}

/**
 * `run` (a forward pass of `model`) with its relu Conv2D layers fused as {@link convRelu} when it runs
 * inside webxai's own outermost gradient (tape depth 1, as skipUnneededFilterGradients) and the
 * flag is on; otherwise `run` as is. The layers get their own `call` back before this returns.
 */
export function fusedConvReluForward(model: tf.LayersModel): <T>(run: () => T) => T {
  let layers: ConvLayer[] | undefined;
  return (run) => {
    const depth = (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth;
    if (depth !== 1 || !tf.env().getBool(FUSED_CONV_RELU_GRADIENT_FLAG)) return run();
    layers ??= fusableLayers(model);
    if (layers.length === 0) return run();
    const own = layers.map((layer) => Object.getOwnPropertyDescriptor(layer, 'call'));
    layers.forEach((layer) => {
      layer.call = (inputs) => convRelu(layer, (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D);
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
