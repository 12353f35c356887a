// SPDX-License-Identifier: Apache-2.0
// fused-relu-layers.ts for a tf.GraphModel. tfjs-converter runs a `_FusedConv2D` /
// `FusedDepthwiseConv2dNative` node through tf.fused.conv2d / depthwiseConv2d, which under a
// gradient tape unfuses a Relu or Relu6 node into three ops (conv, Add of the bias, activation)
// and keeps a linear one fused but computes its filter gradient too (webxai differentiates inputs
// only). Inside webxai's own outermost gradient pass these nodes run here instead, with tfjs's
// kernels and the same input gradient bit for bit (fused-graph-plan.ts says how the graph is cut):
// - relu: one fused kernel with relu's gradient (fusedReluOp, as a fused relu Conv2D layer);
// - relu6: the conv with its bias fused (one kernel, activation 'linear'), then tf.relu6 (two
//   forward dispatches instead of three): its gradient needs the pre-activation z (0 < z <= 6
//   cannot be told from relu6(z) = 6), which is saved; the gradient is relu6Gradient's;
// - linear: the same fused kernel, its gradient the input gradient alone (no filter or bias gradient).
import * as tf from '@tensorflow/tfjs';
import { fusedSegments, type FusedNode, type GraphSegment } from './fused-graph-plan.js';
import { reluGradient } from '../interop/fused-relu-gradient.js';
import { convLinear, fusedReluOp, fusesHere, type FusedLinear } from './fused-relu-layers.js';

const baseName = (name: string) => name.replace(/:0$/, '');

/** A depthwise node (channel multiplier from its filter, NHWC, dilation 1) as tfjs's FusedDepthwiseConv2D kernel. */
function depthwiseLinear(
  node: FusedNode,
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor,
  activation: 'relu' | 'linear',
): FusedLinear {
  const geometry = { strides: node.strides, pad: node.pad, dilations: [1, 1] }; // dimRoundingMode: none, as tfjs-converter's
  return {
    forward: (input) =>
      tf.engine().runKernel('FusedDepthwiseConv2D', { x: input, filter, bias }, { ...geometry, dataFormat: 'NHWC', activation }),
    // tfjs's DepthwiseConv2dNative gradient: the same kernel and attributes.
    inputGradient: (dz) =>
      tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: dz, filter }, { ...geometry, inputShape: x.shape }),
  };
}

const passThrough = (dy: tf.Tensor) => dy;

/**
 * tfjs's Relu6 gradient dy * cast((z <= 6) * step(z)) as (dy * step(z)) * cast(z <= 6): every factor
 * is exactly 0 or 1 (or NaN where z is NaN, in both), so the product is the same bits, and
 * dy * step(z) is relu-grad's one dispatch on software adapters (interop/fused-relu-gradient.ts)
 * where tfjs runs Step, a bool cast and two Multiply.
 */
export function relu6Gradient(dy: tf.Tensor, z: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(reluGradient(dy, z), tf.cast(tf.lessEqual(z, 6), 'float32')));
}

/** relu6(`linear`'s kernel on x), differentiable with respect to x only; the pre-activation is saved for relu6Gradient. */
function fusedRelu6Op(linear: FusedLinear, x: tf.Tensor): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const z = linear.forward(input);
    save([z]);
    return { value: tf.relu6(z), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => linear.inputGradient(relu6Gradient(dy, saved[0]!)) };
  });
  return op(x);
}

/** The node on `x` as webxai's op (see the file comment), differentiable with respect to x only. */
function runNode(node: FusedNode, x: tf.Tensor4D, weights: Readonly<Record<string, tf.Tensor[]>>): tf.Tensor {
  const [filter, bias] = [weights[node.filter]![0] as tf.Tensor4D, weights[node.bias]![0]!];
  const activation = node.activation === 'relu' ? 'relu' : 'linear';
  const linear =
    node.kind === 'conv'
      ? convLinear(node.strides, node.pad, x, filter, bias, activation)
      : depthwiseLinear(node, x, filter, bias, activation);
  if (node.activation === 'relu') return fusedReluOp(linear, x);
  return node.activation === 'relu6' ? fusedRelu6Op(linear, x) : fusedReluOp(linear, x, passThrough);
}

/** Runs the segments: each execute fetches what it must (nothing already fed), then its node runs on its input. */
function runSegments(model: tf.GraphModel, segments: readonly GraphSegment[], feeds: tf.NamedTensorMap): void {
  const weights = model.weights;
  for (const { fetch, node } of segments) {
    const wanted = fetch.filter((name) => !(name in feeds));
    if (wanted.length > 0) {
      const out = [model.execute({ ...feeds }, wanted)].flat();
      wanted.forEach((name, i) => (feeds[name] = out[i]!));
    }
    if (node) feeds[node.name] = runNode(node, feeds[node.input] as tf.Tensor4D, weights);
  }
}

/**
 * The GraphModel's forward pass `x -> scores` (execute to `outputName`), with its fused conv and
 * depthwise nodes run as webxai's ops when it runs inside webxai's own outermost gradient (tape
 * depth 1) and WEBXAI_FUSED_RELU_LAYERS is on; otherwise `model.execute` as is.
 */
export function fusedReluGraphForward(model: tf.GraphModel, input: string, output: string): (x: tf.Tensor4D) => tf.Tensor {
  const [inputName, outputName] = [baseName(input), baseName(output)];
  let segments: GraphSegment[] | undefined;
  return (x) => {
    if (!fusesHere()) return model.execute(x, outputName) as tf.Tensor;
    segments ??= fusedSegments(model, inputName, outputName);
    if (segments.length === 0) return model.execute(x, outputName) as tf.Tensor;
    const feeds: tf.NamedTensorMap = { [inputName]: x };
    runSegments(model, segments, feeds);
    return feeds[outputName]!;
  };
}
