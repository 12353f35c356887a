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
// Conv2DBackpropFilter answered by zeros of the filter's shape (a Fill), which the tape drops as
// before. A node whose filter does depend on them (a filter computed from the input) is left alone.
// Not covered: fused.matMul (Dense layers whose activation is not relu or elu) also computes its
// weight gradient eagerly (a BatchMatMul) and drops it, but that is <= 0.3% of a forward + backward
// of MobileNetV2-224 and of the MNIST CNN (one small head), measured 2026-12-01 (ADR 0007).
// webxai's own gradients call it through inputGradient / inputGradients (input-gradients.ts); it
// stays public for users who take their own tf.grad through a model.
// tfjs internals used (ADR 0007): engine.state.activeTape / gradientDepth, tape nodes' kernelName
// ('fusedConv2d__op', the op's scope name), inputs ('0' x, '1' filter), outputs and gradient.
import * as tf from '@tensorflow/tfjs';
import { replaceKernel } from './webgpu-kernel-replacement.js';

/** The scope name tfjs 4.22 records fused.conv2d's custom-gradient node under. */
const FUSED_CONV_NODE = 'fusedConv2d__op';

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

/** Filter gradients answered by zeros so far (process-wide; a diagnostic for tests and benchmarks). */
let skippedCount = 0;

/** How many filter gradients {@link skipUnneededFilterGradients} has skipped in this process. */
export function skippedFilterGradients(): number {
  return skippedCount;
}

/** Nodes already rewritten (a second call in the same forward pass must not wrap twice). */
const rewritten = new WeakSet<TapeNode>();

/** The backend's Conv2DBackpropFilter, answering zeros while {@link skipping}. */
function skippable(backendName: string): (original: tf.KernelConfig) => tf.KernelFunc {
  return (original) => (params) => {
    if (skipping === 0) return original.kernelFunc(params);
    const fill = tf.getKernel('Fill', backendName);
    if (!fill) return original.kernelFunc(params);
    const { filterShape } = params.attrs as { filterShape: number[] };
    skippedCount++;
    return fill.kernelFunc({ inputs: {}, backend: params.backend, attrs: { shape: filterShape, value: 0, dtype: 'float32' } });
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
 * depend on them skip their (unused) filter gradient in the backward pass. Gradients are
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
  let found = false;
  for (const node of state.activeTape) {
    const filter = node.inputs['1'];
    const original = node.gradient;
    if (node.kernelName !== FUSED_CONV_NODE || !original || !filter || dependent.has(filter.id) || rewritten.has(node)) continue;
    node.gradient = (dys) => {
      skipping++;
      try {
        return original(dys);
      } finally {
        skipping--;
      }
    };
    rewritten.add(node);
    found = true;
  }
  if (found) replaceKernel(tf.getBackend(), 'Conv2DBackpropFilter', skippable(tf.getBackend()));
}
