// SPDX-License-Identifier: Apache-2.0
// Why this exists: webxai takes gradients with respect to images (or activations), never weights,
// yet tf.grad through a tfjs-layers model computes the filter gradient of many of its convolutions
// and throws it away. tfjs-layers runs every Conv2D through fused.conv2d; under a gradient tape
// tfjs keeps that op fused exactly when its activation is linear — every conv of MobileNet-style
// models, whose batch norm and ReLU6 are layers of their own — and the fused op's custom gradient
// computes the input's and the filter's gradients together, eagerly; the tape then uses only the
// input's. Measured on MobileNetV2-224 (batch 1, one forward + backward): Conv2DBackpropFilter took
// 3.4 s of 9.4 s on Chromium's webgpu (SwiftShader) and 7.6 s of 11.4 s on tfjs-cpu.
// So, at the end of a forward pass recorded for webxai's own tf.grad, the fused-conv tape nodes
// whose filter does not depend on the differentiated tensors run their gradient with
// Conv2DBackpropFilter answered by zeros of the filter's shape (host zeros, never uploaded, up to
// 64K values; a Fill above), which the tape drops as before; and, when the node's bias does not
// depend on them either, the Sum of dy that is its bias's gradient (a transpose and a reduction on
// webgpu; only the bias gradient sums there, the activation being linear) likewise. On the 28x28
// MNIST CNN's guided backprop (conv, bias and ReLU split so the ReLU's gradient can be replaced, so
// each conv stays fused) that is 9 of 30 dispatches (Fill, Transpose, Sum per conv; session 22).
// A node whose filter does depend on them (a filter computed from the input) is left alone.
// The same holds for fused.matMul (a Dense layer with a linear activation, kept fused under the tape):
// its custom gradient computes the weight's gradient (a BatchMatMul) and the bias's (a Sum, which
// tfjs-webgpu runs as a transpose and a tree reduction) and the tape drops both. That was <= 0.3% of
// MobileNetV2-224's pass (ADR 0007), but ~0.6-0.8 ms of a 28x28 MNIST CNN's single-image gradient
// on Chromium's SwiftShader (session 15), where the reduction's workgroup barriers are emulated: so
// a fused matmul node whose weight and bias do not depend on the differentiated tensors answers the
// BatchMatMul that reads its `a` (the weight's gradient; the input's gradient reads dy and `b`) and
// its Sum (only the bias gradient sums there: a linear activation adds no op) with zeros.
// webxai's own gradients call it through inputGradient / inputGradients (input-gradients.ts); it
// stays public for users who take their own tf.grad through a model.
// tfjs internals used (ADR 0007): engine.state.activeTape / gradientDepth, tape nodes' kernelName
// ('fusedConv2d__op', the op's scope name), inputs ('0' x, '1' filter), outputs and gradient.
import * as tf from '@tensorflow/tfjs';
import { layerKernel, replaceKernel } from './webgpu-kernel-replacement.js';

/** The scope name tfjs 4.22 records fused.conv2d's custom-gradient node under. */
const FUSED_CONV_NODE = 'fusedConv2d__op';
/** The same for fused.matMul: inputs '0' a, '1' b (the weight), '2' the bias when there is one. */
const FUSED_MATMUL_NODE = 'fusedMatMul__op';

/** A tape node as far as this file needs it (tfjs-core exports no type for them). */
interface TapeNode {
  readonly kernelName: string;
  readonly inputs: Readonly<Record<string, tf.Tensor>>;
  readonly outputs: readonly tf.Tensor[];
  gradient?: (dys: tf.Tensor[]) => Record<string, () => tf.Tensor>;
}

interface TapeState {
  readonly gradientDepth: number;
  readonly activeTape: TapeNode[] | null;
}

/** > 0 while a node whose filter gradient nobody needs computes its gradient. */
let skipping = 0;

/** > 0 while such a node whose bias gradient nobody needs either computes its gradient (its only Sum is that). */
let skippingConvBias = 0;

/** The `a` operands (by dataId) of the fused matmul nodes computing their gradient, innermost last. */
const skippingMatMuls: object[] = [];

/** Filter gradients answered by zeros so far (process-wide; a diagnostic for tests and benchmarks). */
let skippedCount = 0;

/** How many filter gradients {@link skipUnneededFilterGradients} has skipped in this process. */
export function skippedFilterGradients(): number {
  return skippedCount;
}

/** Dense weight and bias gradients answered by zeros so far (process-wide; for tests). */
let skippedDenseCount = 0;

/** How many fused-matmul weight and bias gradients {@link skipUnneededFilterGradients} has skipped in this process. */
export function skippedDenseGradients(): number {
  return skippedDenseCount;
}

/** Fused-conv bias gradients answered by zeros so far (process-wide; for tests). */
let skippedConvBiasCount = 0;

/** How many fused-conv bias gradients {@link skipUnneededFilterGradients} has skipped in this process. */
export function skippedConvBiasGradients(): number {
  return skippedConvBiasCount;
}

/** Nodes already rewritten (a second call in the same forward pass must not wrap twice). */
const rewritten = new WeakSet<TapeNode>();

/** The backend's Conv2DBackpropFilter, answering zeros while {@link skipping}. */
function skippable(backendName: string): (original: tf.KernelConfig) => tf.KernelFunc {
  return (original) => (params) => {
    if (skipping === 0) return original.kernelFunc(params);
    const { filterShape } = params.attrs as { filterShape: number[] };
    skippedCount++;
    return zerosFor(backendName, params.backend, filterShape);
  };
}

/** Zeros of `shape` for a gradient the tape drops: on the host below this size (nothing is uploaded), else a Fill. */
const HOST_ZEROS_LIMIT = 1 << 16;

function zerosFor(backendName: string, backend: unknown, shape: number[]): tf.TensorInfo {
  const size = tf.util.sizeFromShape(shape);
  const fill = tf.getKernel('Fill', backendName);
  if (size > HOST_ZEROS_LIMIT && fill) {
    return fill.kernelFunc({
      inputs: {},
      backend: backend as tf.KernelBackend,
      attrs: { shape, value: 0, dtype: 'float32' },
    }) as tf.TensorInfo;
  }
  const host = backend as { makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo };
  return host.makeTensorInfo(shape, 'float32', new Float32Array(size));
}

/** The backend's BatchMatMul, answering zeros for the weight gradient of the innermost skipped matmul node. */
function skippableMatMul(backendName: string): (original: tf.KernelConfig) => tf.KernelFunc {
  return (original) => (params) => {
    const a = skippingMatMuls.at(-1);
    const { a: left, b: right } = params.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (!a || (left.dataId !== a && right.dataId !== a)) return original.kernelFunc(params);
    const { transposeA, transposeB } = params.attrs as { transposeA: boolean; transposeB: boolean };
    const outer = tf.backend_util.assertAndGetBroadcastShape(left.shape.slice(0, -2), right.shape.slice(0, -2));
    const rows = left.shape.at(transposeA ? -1 : -2)!;
    const columns = right.shape.at(transposeB ? -2 : -1)!;
    skippedDenseCount++;
    return zerosFor(backendName, params.backend, [...outer, rows, columns]);
  };
}

/**
 * The backend's Sum, answering zeros while a skipped matmul node, or a skipped conv node whose bias
 * is not needed either, computes its (bias) gradient.
 */
function skippableSum(backendName: string): (original: tf.KernelConfig) => tf.KernelFunc {
  return (original) => (params) => {
    if (skippingMatMuls.length === 0 && skippingConvBias === 0) return original.kernelFunc(params);
    const x = (params.inputs as { x: tf.TensorInfo }).x;
    const { axis, keepDims } = params.attrs as { axis: number | number[]; keepDims: boolean };
    const axes = tf.util.parseAxisParam(axis, x.shape);
    const [reduced] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
    if (skippingMatMuls.length > 0) skippedDenseCount++;
    else skippedConvBiasCount++;
    return zerosFor(backendName, params.backend, keepDims ? tf.backend_util.expandShapeToKeepDim(reduced, axes) : reduced);
  };
}

/** Ids of every tensor on the tape that depends on one of `xs` (including `xs`). */
function dependentIds(tape: readonly TapeNode[], xs: readonly tf.Tensor[]): Set<number> {
  const ids = new Set(xs.map((x) => x.id));
  for (const node of tape) {
    if (Object.values(node.inputs).some((input) => ids.has(input.id))) node.outputs.forEach((out) => ids.add(out.id));
  }
  return ids;
}

/**
 * Call inside the function given to tf.grad / tf.grads, after the model's forward pass, with the
 * tensors being differentiated: the fused convolutions recorded so far whose filter does not
 * depend on them skip their (unused) filter gradient in the backward pass, and the fused matmuls
 * (Dense layers) whose weight and bias do not, their weight and bias gradients. Gradients are
 * unchanged. Only for webxai's own outermost gradient (gradient depth 1): inside anybody else's
 * tf.grad it does nothing.
 *
 * @example
 * tf.grad((x) => { const scores = model.predict(x); skipUnneededFilterGradients([x]); return scores.sum(); })(images);
 */
export function skipUnneededFilterGradients(xs: readonly tf.Tensor[]): void {
  const state = tf.engine().state as unknown as TapeState;
  if (state.gradientDepth !== 1 || !state.activeTape) return;
  const dependent = dependentIds(state.activeTape, xs);
  let convs = false;
  let convBiases = false;
  let matMuls = false;
  for (const node of state.activeTape) {
    if (!node.gradient || rewritten.has(node)) continue;
    if (node.kernelName === FUSED_CONV_NODE) {
      const skipped = skipFilterGradient(node, dependent);
      convs = skipped !== 'none' || convs;
      convBiases = skipped === 'filter and bias' || convBiases;
    } else if (node.kernelName === FUSED_MATMUL_NODE) matMuls = skipWeightGradients(node, dependent) || matMuls;
  }
  const backendName = tf.getBackend();
  if (convs) replaceKernel(backendName, 'Conv2DBackpropFilter', skippable(backendName));
  // Over webxai's direct matmul where it replaced tfjs's (software adapters).
  if (matMuls) layerKernel(backendName, 'BatchMatMul', skippableMatMul(backendName));
  if (matMuls || convBiases) layerKernel(backendName, 'Sum', skippableSum(backendName));
}

/**
 * Rewrites a fused conv node whose filter does not depend on the differentiated tensors, and says
 * what it skips: the filter's gradient, and the bias's too (tfjs sums dy for it: a transpose and a
 * reduction on webgpu) when the node has a bias that does not depend on them either.
 */
function skipFilterGradient(node: TapeNode, dependent: ReadonlySet<number>): 'none' | 'filter' | 'filter and bias' {
  const [filter, bias] = [node.inputs['1'], node.inputs['2']];
  const original = node.gradient!;
  if (!filter || dependent.has(filter.id)) return 'none';
  const withBias = bias !== undefined && !dependent.has(bias.id);
  node.gradient = (dys) => {
    skipping++;
    if (withBias) skippingConvBias++;
    try {
      return original(dys);
    } finally {
      skipping--;
      if (withBias) skippingConvBias--;
    }
  };
  rewritten.add(node);
  return withBias ? 'filter and bias' : 'filter';
}

/** Rewrites a fused matmul node whose weight and bias do not depend on the differentiated tensors; true if it did. */
function skipWeightGradients(node: TapeNode, dependent: ReadonlySet<number>): boolean {
  const [a, weight, bias] = [node.inputs['0'], node.inputs['1'], node.inputs['2']];
  const original = node.gradient!;
  if (!a || !weight || dependent.has(weight.id) || (bias && dependent.has(bias.id))) return false;
  node.gradient = (dys) => {
    skippingMatMuls.push(a.dataId);
    try {
      return original(dys);
    } finally {
      skippingMatMuls.pop();
    }
  };
  rewritten.add(node);
  return true;
}
