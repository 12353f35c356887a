// SPDX-License-Identifier: Apache-2.0
// Inside webxai's gradient passes a LayersModel's relu Conv2D / Dense layers run as one fused kernel each
// (tfjs unfuses them under a tape): the same input gradients bit for bit as tfjs's unfused ops, on
// webgpu and cpu; fewer kernels; the layers' own `call` back afterwards, even after a throw.
import { describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { seededF32 } from '@webxai/testing';
import { disposeWeights, tinyCnn, tinyCnnWeights } from '@webxai/testing/models';
import { adaptModel } from './adapt.js';
import { explain } from '../api/explain.js';
import { disposeResult } from '../api/dispose-result.js';
import { targetGradients } from '../gradient/target-gradients.js';
import { FUSED_RELU_LAYERS_FLAG, fusedReluLayersForward } from './fused-relu-layers.js';
import { inputGradient } from '../interop/input-gradients.js';
import { checkWebgpuLeaksPerTest } from '../../test/kernel-wrapper-hooks.js';

/** The tiny CNN (two 3x3 relu convs with bias, global average pooling, dense) as `variant`. */
function tinyModel(variant: 'sequential' | 'functional' | 'nested'): tf.LayersModel {
  const weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, filters: 4, classes: 5, seed: 61 });
  const model = tinyCnn(variant, weights);
  disposeWeights(weights); // setWeights copied them
  return model;
}

/** Strided 'valid' relu conv without bias, a 'same' relu conv with bias, a relu6 conv (not fused), a relu dense, a linear dense. */
function mixedCnn(): tf.LayersModel {
  const init = (seed: number) => tf.initializers.randomNormal({ seed, stddev: 0.5 });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [9, 9, 2],
        filters: 4,
        kernelSize: 3,
        strides: 2,
        padding: 'valid',
        useBias: false,
        activation: 'relu',
        kernelInitializer: init(1),
      }),
      tf.layers.conv2d({
        filters: 4,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: init(2),
        biasInitializer: init(3),
      }),
      tf.layers.conv2d({ filters: 4, kernelSize: 2, padding: 'same', activation: 'relu6', kernelInitializer: init(4) }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 6, activation: 'relu', kernelInitializer: init(5), biasInitializer: init(6) }),
      tf.layers.dense({ units: 3, kernelInitializer: init(7) }),
    ],
  });
}

const bits = async (t: tf.Tensor) => Array.from(new Uint32Array(((await t.data()) as Float32Array).slice().buffer));

/** The bits of what `compute` returns, with the fusion on or off, and the kernels it ran; its result disposed after. */
async function withFusion(fused: boolean, compute: () => Promise<{ result: tf.Tensor; dispose: () => void }>) {
  const flag = tf.env().getBool(FUSED_RELU_LAYERS_FLAG);
  tf.env().set(FUSED_RELU_LAYERS_FLAG, fused);
  const runKernel = vi.spyOn(tf.engine(), 'runKernel');
  try {
    const { result, dispose } = await compute();
    const kernels = runKernel.mock.calls.map(([name]) => name);
    const values = await bits(result);
    dispose();
    return { values, kernels };
  } finally {
    runKernel.mockRestore();
    tf.env().set(FUSED_RELU_LAYERS_FLAG, flag);
  }
}

/** d score[target] / d x through webxai's layers adapter, with the fusion on or off; the kernels it ran. */
function gradientWith(model: tf.LayersModel, x: tf.Tensor4D, targets: number[], fused: boolean) {
  return withFusion(fused, () => {
    const gradient = targetGradients(adaptModel(model), x, targets);
    return Promise.resolve({ result: gradient, dispose: () => gradient.dispose() });
  });
}

/** An explanation's attribution with the fusion on or off; the kernels it ran. */
function explainWith(model: tf.LayersModel, x: tf.Tensor4D, options: Record<string, unknown>, fused: boolean) {
  return withFusion(fused, async () => {
    const r = await explain(model, x, options as never);
    return { result: (r as unknown as { attribution: tf.Tensor }).attribution, dispose: () => disposeResult(r) };
  });
}

const count = (kernels: string[], name: string) => kernels.filter((k) => k === name).length;

describe.each(['webgpu', 'cpu'] as const)('relu Conv2D / Dense layers fused in gradient passes (%s)', (backend) => {
  checkWebgpuLeaksPerTest(() => undefined);

  it("give tfjs's unfused input gradient bit for bit, with one FusedConv2D per relu conv and no Add or Relu", async () => {
    await tf.setBackend(backend);
    for (const variant of ['sequential', 'functional', 'nested'] as const) {
      const model = tinyModel(variant);
      const x = tf.tensor4d(seededF32(2 * 8 * 8 * 3, 62, -1, 1), [2, 8, 8, 3]);
      const fused = await gradientWith(model, x, [1, 3], true);
      const plain = await gradientWith(model, x, [1, 3], false);
      expect(fused.values, variant).toEqual(plain.values);
      expect(fused.values.some((v) => v !== 0)).toBe(true);
      expect(count(fused.kernels, 'FusedConv2D'), variant).toBe(2);
      expect(count(plain.kernels, 'FusedConv2D'), variant).toBe(0);
      expect(count(fused.kernels, 'Relu'), variant).toBe(0);
      expect(count(plain.kernels, 'Relu'), variant).toBe(2);
      x.dispose();
      model.dispose();
    }
  });

  it('covers strides, valid padding, no bias and a relu Dense; leaves a relu6 conv to tfjs', async () => {
    await tf.setBackend(backend);
    const model = mixedCnn();
    const x = tf.tensor4d(seededF32(9 * 9 * 2, 63, -1, 1), [1, 9, 9, 2]);
    const fused = await gradientWith(model, x, [2], true);
    const plain = await gradientWith(model, x, [2], false);
    expect(fused.values).toEqual(plain.values);
    expect(fused.values.some((v) => v !== 0)).toBe(true);
    // The relu6 conv runs as tfjs runs it under a tape: a linear FusedConv2D (conv + bias), then
    // tfjs-layers' relu6, minimum(6, relu(x)).
    // The linear Dense is a _FusedMatMul under the tape already; the relu Dense becomes one.
    expect(count(plain.kernels, 'FusedConv2D')).toBe(1);
    expect(count(plain.kernels, '_FusedMatMul')).toBe(1);
    expect(count(plain.kernels, 'Relu')).toBe(4);
    expect(count(fused.kernels, 'FusedConv2D')).toBe(3);
    expect(count(fused.kernels, '_FusedMatMul')).toBe(2);
    expect(count(fused.kernels, 'Relu')).toBe(1);
    x.dispose();
    model.dispose();
  });
});

describe('a relu Dense on an image (rank 4) input', () => {
  checkWebgpuLeaksPerTest(() => undefined);

  it("runs as tfjs runs it (its own call), with tfjs's gradient", async () => {
    const init = (seed: number) => tf.initializers.randomNormal({ seed, stddev: 0.5 });
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [3, 3, 2], units: 4, activation: 'relu', kernelInitializer: init(8), biasInitializer: init(9) }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 3, kernelInitializer: init(10) }),
      ],
    });
    const x = tf.tensor4d(seededF32(2 * 3 * 3 * 2, 66, -1, 1), [2, 3, 3, 2]);
    const fused = await gradientWith(model, x, [0, 1], true);
    const plain = await gradientWith(model, x, [0, 1], false);
    expect(fused.values).toEqual(plain.values);
    expect(fused.values.some((v) => v !== 0)).toBe(true);
    expect(count(fused.kernels, 'Relu')).toBe(1);
    x.dispose();
    model.dispose();
  });
});

describe.each(['webgpu', 'cpu'] as const)('guided backprop and deconvnet with fused relu layers (%s)', (backend) => {
  checkWebgpuLeaksPerTest(() => undefined);

  it("give the unfused override's attribution bit for bit, with one fused kernel per relu conv / dense", async () => {
    await tf.setBackend(backend);
    const model = mixedCnn();
    const x = tf.tensor4d(seededF32(2 * 9 * 9 * 2, 65, -1, 1), [2, 9, 9, 2]);
    const run = (method: 'guided-backprop' | 'deconvnet', fused: boolean) => explainWith(model, x, { method, target: [0, 2] }, fused);
    for (const method of ['guided-backprop', 'deconvnet'] as const) {
      const [fused, plain] = [await run(method, true), await run(method, false)];
      expect(fused.values, method).toEqual(plain.values);
      expect(fused.values.some((v) => v !== 0)).toBe(true);
      // The two relu convs and the relu Dense fused; the relu6 conv (linear FusedConv2D + relu6) as before.
      expect(count(fused.kernels, 'FusedConv2D'), method).toBe(3);
      expect(count(plain.kernels, 'FusedConv2D'), method).toBe(3);
      expect(count(fused.kernels, '_FusedMatMul'), method).toBe(2);
      expect(count(plain.kernels, 'Relu') - count(fused.kernels, 'Relu'), method).toBe(3);
    }
    x.dispose();
    model.dispose();
  });
});

describe.each(['webgpu', 'cpu'] as const)("a CAM split's tail with fused relu layers (%s)", (backend) => {
  checkWebgpuLeaksPerTest(() => undefined);

  it("gives the unfused Grad-CAM map bit for bit; the tail's relu conv runs as one FusedConv2D", async () => {
    await tf.setBackend(backend);
    const model = tinyModel('sequential');
    const x = tf.tensor4d(seededF32(2 * 8 * 8 * 3, 67, -1, 1), [2, 8, 8, 3]);
    const run = (fused: boolean) => explainWith(model, x, { method: 'grad-cam', layer: 'conv1', target: [1, 3] }, fused);
    const [fused, plain] = [await run(true), await run(false)];
    expect(fused.values).toEqual(plain.values);
    expect(fused.values.some((v) => v !== 0)).toBe(true);
    // conv1 (the head, outside the tape) is fused by tfjs either way; conv2 is in the tail.
    expect(count(plain.kernels, 'FusedConv2D')).toBe(1);
    expect(count(fused.kernels, 'FusedConv2D')).toBe(2);
    expect(count(plain.kernels, 'Relu') - count(fused.kernels, 'Relu')).toBe(1);
    x.dispose();
    model.dispose();
  });
});

describe('fusedReluLayersForward', () => {
  checkWebgpuLeaksPerTest(() => undefined);

  it("swaps the layers' call only inside an outermost gradient and always puts it back, even after a throw", () => {
    const model = tinyModel('sequential');
    const conv = model.getLayer('conv1');
    const fused = fusedReluLayersForward(model);
    const x = tf.tensor4d(seededF32(8 * 8 * 3, 64, -1, 1), [1, 8, 8, 3]);
    const swapped = () => Object.prototype.hasOwnProperty.call(conv, 'call');
    const seen: boolean[] = [];
    tf.tidy(() => fused(() => seen.push(swapped()))); // predict: no tape
    const g = tf.grad((input: tf.Tensor) => tf.sum(fused(() => (seen.push(swapped()), model.apply(input) as tf.Tensor))))(x);
    // Inside somebody else's gradient (depth 2) tfjs's ops stay.
    const outer = tf.grad((input: tf.Tensor) =>
      tf.sum(tf.grad((inner: tf.Tensor) => tf.sum(fused(() => (seen.push(swapped()), model.apply(inner) as tf.Tensor))))(input)),
    );
    const gg = outer(x);
    expect(seen).toEqual([false, true, false]);
    // inputGradient frees the tape of a pass that throws.
    expect(() =>
      inputGradient(
        (input) =>
          fused(() => {
            model.apply(input);
            throw new Error('model failed');
          }),
        x,
      ),
    ).toThrow('model failed');
    expect(swapped()).toBe(false);
    tf.dispose([x, g, gg]);
    model.dispose();
  });
});
