// SPDX-License-Identifier: Apache-2.0
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { seededF32 } from '@webxai/testing';
import { disposeWeights, tinyCnn, tinyCnnGraphModel, tinyCnnWeights, type TinyCnnWeights } from '@webxai/testing/models';
import { InvalidInputError, InvalidOptionError, UnsupportedModelError } from '@webxai/shaders';
import { vi } from 'vitest';
import { disposeResult } from '../../api/dispose-result.js';
import { explain, listMethods } from '../../api/explain.js';
import { tfjsUsedBufferCount } from '../../interop/tfjs-webgpu.js';
import { RELU_GRAD_KERNEL } from '../../interop/fused-relu-gradient.js';
import { overriddenRelu } from './relu-override.js';

const values = async (t: tf.Tensor) => Array.from(await t.data());

/**
 * A dense ReLU network with every kind of ReLU the override handles: x (12) -> d1 (relu activation)
 * -> d2 (linear) -> Activation('relu') -> d3 (linear) -> ReLU layer -> logits. Weights seeded.
 */
function reluNetwork(): {
  model: tf.LayersModel;
  layers: { W: Float32Array; b: Float32Array; rows: number; cols: number; relu: boolean }[];
} {
  const sizes = [12, 6, 5, 4, 3];
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [2, 2, 3] }),
      tf.layers.dense({ name: 'd1', units: 6, activation: 'relu' }),
      tf.layers.dense({ name: 'd2', units: 5 }),
      tf.layers.activation({ name: 'act', activation: 'relu' }),
      tf.layers.dense({ name: 'd3', units: 4 }),
      tf.layers.reLU({ name: 'relu_layer' }),
      tf.layers.dense({ name: 'logits', units: 3 }),
    ],
  });
  const layers = ['d1', 'd2', 'd3', 'logits'].map((name, i) => {
    const [rows, cols] = [sizes[i]!, sizes[i + 1]!];
    const W = seededF32(rows * cols, 90 + i, -1, 1);
    const b = seededF32(cols, 100 + i, -0.3, 0.3);
    const tensors = [tf.tensor2d(W, [rows, cols]), tf.tensor1d(b)];
    model.getLayer(name).setWeights(tensors);
    tf.dispose(tensors);
    return { W, b, rows, cols, relu: i < 3 };
  });
  return { model, layers };
}

/** The hand-computed backward pass (f64) of reluNetwork for one input row and target class. */
function handGradient(
  net: ReturnType<typeof reluNetwork>['layers'],
  x: number[],
  target: number,
  rule: 'plain' | 'guided' | 'deconvnet',
): number[] {
  const pre: number[][] = [];
  let h = x;
  for (const { W, b, rows, cols, relu } of net) {
    const z = Array.from({ length: cols }, (_, j) => b[j]! + h.reduce((s, v, i) => s + v * W[i * cols + j]!, 0));
    void rows;
    pre.push(z);
    h = relu ? z.map((v) => Math.max(v, 0)) : z;
  }
  let g: number[] = Array.from({ length: net.at(-1)!.cols }, (_, j) => (j === target ? 1 : 0));
  for (let l = net.length - 1; l >= 0; l--) {
    const { W, rows, cols, relu } = net[l]!;
    if (relu) {
      const z = pre[l]!;
      g = g.map((v, j) =>
        rule === 'plain' ? v * (z[j]! > 0 ? 1 : 0) : rule === 'guided' ? Math.max(v, 0) * (z[j]! > 0 ? 1 : 0) : Math.max(v, 0),
      );
    }
    g = Array.from({ length: rows }, (_, i) => g.reduce((s, v, j) => s + v * W[i * cols + j]!, 0));
  }
  return g;
}

describe('guided backprop, deconvnet, guided Grad-CAM', () => {
  let weights: TinyCnnWeights;
  beforeAll(async () => {
    await tf.setBackend('webgpu');
    weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, filters: 6, classes: 4, seed: 17 });
  });
  afterAll(() => disposeWeights(weights));

  it('are registered methods', () => {
    expect(listMethods()).toEqual(expect.arrayContaining(['guided-backprop', 'deconvnet', 'guided-grad-cam']));
  });

  it('on a ReLU network equal the hand-computed masked gradients; the plain gradient is unaffected before and after', async () => {
    const { model, layers } = reluNetwork();
    const x = tf.tensor4d(seededF32(2 * 12, 3, -1, 1), [2, 2, 2, 3]);
    const rows = [0, 1].map((r) => Array.from(seededF32(24, 3, -1, 1).slice(r * 12, r * 12 + 12)));
    const targets = [2, 0];
    const want = (rule: 'plain' | 'guided' | 'deconvnet') => targets.flatMap((t, r) => handGradient(layers, rows[r]!, t, rule));
    const tol = { abs: 1e-5, rel: 1e-4 };
    const before = await explain(model, x, { method: 'saliency', abs: false, target: targets });
    const guided = await explain(model, x, { method: 'guided-backprop', target: targets });
    const deconv = await explain(model, x, { method: 'deconvnet', target: targets });
    const after = await explain(model, x, { method: 'saliency', abs: false, target: targets });
    expect(guided.relus).toEqual(['d1', 'act', 'relu_layer']);
    expect(await values(guided.attribution)).toBeAllClose(want('guided'), tol);
    expect(await values(deconv.attribution)).toBeAllClose(want('deconvnet'), tol);
    for (const plain of [before, after]) expect(await values(plain.attribution)).toBeAllClose(want('plain'), tol);
    // The three rules really differ on this input (otherwise the test could not fail).
    const [g, d, p] = [want('guided'), want('deconvnet'), want('plain')];
    expect(Math.max(...g.map((v, i) => Math.abs(v - p[i]!)))).toBeGreaterThan(1e-2);
    expect(Math.max(...g.map((v, i) => Math.abs(v - d[i]!)))).toBeGreaterThan(1e-2);
    // The model's own activations are back in place (tfjs still fuses them).
    expect((model.getLayer('d1') as unknown as { activation: { getClassName(): string } }).activation.getClassName()).toBe('relu');
    [before, guided, deconv, after].forEach(disposeResult);
    x.dispose();
  });

  it("the guided ReLU's gradient is relu(dy) * step(z) bit for bit, as one relu-grad kernel on webgpu (software adapter)", async () => {
    // 64 values (relu-grad takes multiples of 4), with zeros of both signs in z and dy.
    const z = tf.tensor1d([...seededF32(60, 5, -1, 1), 0, -0, 0, 1]);
    const dy = tf.tensor1d([...seededF32(60, 6, -1, 1), -0, 1, -1, -0]);
    const bits = async (t: tf.Tensor) => Array.from(new Uint32Array(((await t.data()) as Float32Array).slice().buffer));
    const runKernel = vi.spyOn(tf.engine(), 'runKernel');
    const guided = tf.grad(overriddenRelu('guided'))(z, dy);
    const kernels = runKernel.mock.calls.map(([name]) => name);
    runKernel.mockRestore();
    const composite = tf.tidy(() => tf.mul(tf.relu(dy), tf.step(z)));
    expect(kernels.filter((name) => name === RELU_GRAD_KERNEL)).toHaveLength(1);
    expect(kernels).not.toContain('Step');
    expect(await bits(guided)).toEqual(await bits(composite));
    // The mask matters on this input: where dy > 0 and z <= 0 the plain relu(dy) is not zero.
    const positive = tf.relu(dy);
    expect(await bits(positive)).not.toEqual(await bits(guided));
    tf.dispose([z, dy, guided, composite, positive]);
  });

  it('a plain tf.grad on the same and on another model, after and between, is unaffected', async () => {
    const cnn = tinyCnn('sequential', weights);
    const other = tinyCnn('functional', weights);
    const x = tf.randomUniform([1, 8, 8, 3], 0, 1, 'float32', 4);
    const plain = (m: tf.LayersModel) => tf.grad((v: tf.Tensor) => tf.sum(tf.slice(m.apply(v) as tf.Tensor, [0, 1], [1, 1])))(x);
    const reference = [await values(plain(cnn)), await values(plain(other))].map((v) => v);
    const gb = await explain(cnn, x, { method: 'guided-backprop', target: 1 });
    const again = [plain(cnn), plain(other)];
    expect(await values(again[0]!)).toEqual(reference[0]);
    expect(await values(again[1]!)).toEqual(reference[1]);
    // Guided backprop differs from the gradient here (the test would catch a global override).
    const gbv = await values(gb.attribution);
    expect(Math.max(...gbv.map((v, i) => Math.abs(v - reference[0]![i]!)))).toBeGreaterThan(1e-4);
    tf.dispose([...again, x]);
    disposeResult(gb);
  });

  it('guided Grad-CAM = guided backprop x the upsampled Grad-CAM map', async () => {
    const model = tinyCnn('functional', weights);
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 8);
    const ggc = await explain(model, x, { method: 'guided-grad-cam', layer: 'conv2', target: [1, 3] });
    const gb = await explain(model, x, { method: 'guided-backprop', target: [1, 3] });
    const cam = await explain(model, x, { method: 'grad-cam', layer: 'conv2', target: [1, 3] });
    const [g, c] = [await values(gb.attribution), await values(cam.attribution)];
    expect(ggc.layer).toBe('conv2');
    expect(ggc.attribution.shape).toEqual([2, 8, 8, 3]);
    expect(await values(ggc.cam)).toEqual(c);
    expect(await values(ggc.attribution)).toBeAllClose(
      g.map((v, i) => v * c[Math.floor(i / 3)]!),
      { abs: 1e-7, rel: 1e-5 },
    );
    expect(c.some((v) => v > 0 && v < 1)).toBe(true);
    [ggc, gb, cam].forEach(disposeResult);
    x.dispose();
  });

  it('a GraphModel and its LayersModel give the same guided backprop and deconvnet', async () => {
    const layers = tinyCnn('sequential', weights);
    const graph = await tinyCnnGraphModel(weights);
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 9);
    for (const method of ['guided-backprop', 'deconvnet'] as const) {
      const a = await explain(layers, x, { method, target: [0, 2] });
      const b = await explain(graph, x, { method, target: [0, 2] });
      expect(b.relus).toEqual(['conv1/Relu', 'conv2/Relu']);
      expect(await values(b.attribution), method).toBeAllClose(await values(a.attribution), { abs: 1e-6, rel: 1e-4 });
      [a, b].forEach(disposeResult);
    }
    graph.dispose();
    x.dispose();
  });

  it("a GraphModel with ReLUs fused into _FusedConv2D gives the LayersModel's guided backprop, deconvnet and guided Grad-CAM, and its plain gradient afterwards", async () => {
    const layers = tinyCnn('sequential', weights);
    const fused = await tinyCnnGraphModel(weights, { fuseRelu: true });
    const ops = (fused as unknown as { executor: { graph: { nodes: Record<string, { op: string }> } } }).executor.graph.nodes;
    expect([ops['conv1/Relu']?.op, ops['conv2/Relu']?.op]).toEqual(['_FusedConv2D', '_FusedConv2D']);
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 19);
    const saliency = async (model: tf.LayersModel | tf.GraphModel) => {
      const r = await explain(model, x, { method: 'saliency', target: [0, 2] });
      const v = await values(r.attribution);
      disposeResult(r);
      return v;
    };
    const plainBefore = await saliency(fused);
    expect(plainBefore).toBeAllClose(await saliency(layers), { abs: 1e-6, rel: 1e-4 });
    const tensors = tf.memory().numTensors;
    for (const method of ['guided-backprop', 'deconvnet', 'guided-grad-cam'] as const) {
      const a = await explain(layers, x, { method, target: [0, 2] });
      const b = await explain(fused, x, { method, target: [0, 2] });
      expect(b.relus, method).toEqual(['conv1/Relu', 'conv2/Relu']);
      const got = await values(b.attribution);
      expect(got, method).toBeAllClose(await values(a.attribution), { abs: 1e-6, rel: 1e-4 });
      // The rules differ from the plain gradient here, so the comparison above sees the override.
      expect(Math.max(...got.map((v, i) => Math.abs(v - plainBefore[i]!))), method).toBeGreaterThan(1e-3);
      [a, b].forEach(disposeResult);
    }
    expect(tf.memory().numTensors).toBe(tensors);
    // The fused ops' own activation is back: the plain gradient is the one from before.
    expect(await saliency(fused)).toEqual(plainBefore);
    fused.dispose();
    x.dispose();
  });

  it('webgpu and cpu agree, and nothing leaks', async () => {
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 12);
    const methods = ['guided-backprop', 'deconvnet', 'guided-grad-cam'] as const;
    await tf.setBackend('cpu');
    const model = tinyCnn('nested', weights);
    const cpu: number[][] = [];
    for (const method of methods) {
      const r = await explain(model, x, { method, target: [1, 2] });
      expect(r.path).toBe('cpu');
      cpu.push(await values(r.attribution));
      disposeResult(r);
    }
    await tf.setBackend('webgpu');
    for (const [i, method] of methods.entries()) {
      const r = await explain(model, x, { method, target: [1, 2] });
      expect(await values(r.attribution), method).toBeAllClose(cpu[i]!, { abs: 1e-5, rel: 1e-3 });
      disposeResult(r);
    }
    const tensors = tf.memory().numTensors;
    const buffers = tfjsUsedBufferCount();
    for (let i = 0; i < 5; i++) for (const method of methods) disposeResult(await explain(model, x, { method }));
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tfjsUsedBufferCount()).toBe(buffers);
    x.dispose();
  });

  it("take the target from their own pass (no separate prediction): 'predicted' is the argmax; bad targets and inputs get typed errors", async () => {
    const model = tinyCnn('nested', weights);
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 21);
    const argmax = Array.from(await tf.tidy(() => tf.argMax(model.predict(x) as tf.Tensor, 1)).data());
    const applied = vi.spyOn(model, 'apply');
    for (const method of ['guided-backprop', 'deconvnet'] as const) {
      const predicted = await explain(model, x, { method });
      expect(predicted.target, method).toEqual(argmax);
      const given = await explain(model, x, { method, target: argmax });
      expect(await values(given.attribution), method).toEqual(await values(predicted.attribution));
      disposeResult(predicted);
      disposeResult(given);
    }
    // The adapter's predict() runs model.apply; the overridden forward runs the layers one by one.
    expect(applied).not.toHaveBeenCalled();
    applied.mockRestore();
    const gradCam = await explain(model, x, { method: 'guided-grad-cam' });
    expect(gradCam.target).toEqual(argmax);
    disposeResult(gradCam);
    const tensors = tf.memory().numTensors;
    for (const method of ['guided-backprop', 'guided-grad-cam'] as const) {
      await expect(explain(model, x, { method, target: 4 })).rejects.toThrow(InvalidOptionError);
      await expect(explain(model, x, { method, target: 4 })).rejects.toThrow(/target class 4 is out of range: the model has 4 classes/);
      const bad = tf.tidy(() => tf.where(tf.equal(tf.range(0, 8 * 8 * 3 * 2).reshape([2, 8, 8, 3]), 5), tf.fill([2, 8, 8, 3], NaN), x));
      await expect(explain(model, bad, { method })).rejects.toThrow(InvalidInputError);
      // The input's check comes before the class's range, as in the order the reads were made serially.
      await expect(explain(model, bad, { method, target: 4 })).rejects.toThrow(InvalidInputError);
      bad.dispose();
    }
    expect(tf.memory().numTensors).toBe(tensors);
    x.dispose();
  });

  it('a function model or a model without ReLUs gets UnsupportedModelError', async () => {
    const x = tf.zeros([1, 8, 8, 3]);
    const fn = (v: tf.Tensor4D) => tf.reshape<tf.Rank.R2>(tf.mean(v, [1, 2]), [1, 3]);
    await expect(explain(fn, x, { method: 'guided-backprop' })).rejects.toThrow(UnsupportedModelError);
    const linear = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [8, 8, 3] }), tf.layers.dense({ units: 2 })] });
    await expect(explain(linear, x, { method: 'deconvnet' })).rejects.toThrow(/no ReLU/);
    x.dispose();
  });
});
