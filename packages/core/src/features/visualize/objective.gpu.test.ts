// SPDX-License-Identifier: Apache-2.0
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { seededF32 } from '@webxai/testing';
import { inputGradient } from '../../interop/input-gradients.js';
import { flushTfjs, tfjsUsedBufferCount } from '../../interop/tfjs-webgpu.js';
import { adaptModel } from '../../model/adapt.js';
import { disposeWeights, tinyCnn, tinyCnnGraphModel, tinyCnnWeights } from '@webxai/testing/models';
import { FUSED_RELU_LAYERS_FLAG } from '../../model/fused-relu-layers.js';
import { modelLayers, resolveLayers } from '../../model/split/list-layers.js';
import { collectActivations } from '../activations/collect.js';
import { objectiveGradient, resolveObjective, type FeatureTarget } from './objective.js';

const SIZE = 12;

/** conv (4 channels, ReLU) -> max pool -> dense (3 classes), seeded weights: gradients with no special values. */
function smallModel(): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ name: 'conv', inputShape: [SIZE, SIZE, 3], filters: 4, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ name: 'pool', poolSize: 2 }),
      tf.layers.flatten({ name: 'flat' }),
      tf.layers.dense({ name: 'logits', units: 3 }),
    ],
  });
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(seededF32(w.size, 40 + i, -0.5, 0.5), w.shape)));
  return model;
}

const bits = async (t: tf.Tensor) => new Uint32Array((await t.data()).buffer);

describe.each(['webgpu', 'cpu'])('objectiveGradient (%s)', (backend) => {
  const before = { backend: '' };
  afterAll(async () => {
    await tf.setBackend(before.backend);
  });

  const targets: [string, FeatureTarget][] = [
    ['channels', { layer: 'conv', channels: [0, 3, 1] }],
    ['neuron', { layer: 'conv', neuron: { channel: 2 } }],
    ['classes', { classIndex: [2, 0] }],
  ];
  it.each(targets)('%s: the gradient of the summed objective bit for bit, the values of perImage, no leaks', async (_, target) => {
    before.backend ||= tf.getBackend();
    await tf.setBackend(backend);
    const model = smallModel();
    const objective = resolveObjective(adaptModel(model), target, [SIZE, SIZE, 3], undefined);
    const seen = tf.tensor4d(seededF32(objective.count * SIZE * SIZE * 3, 7), [objective.count, SIZE, SIZE, 3]);
    const warm = objectiveGradient(objective, seen); // the model's and tfjs's lazy state, outside the counts
    tf.dispose([warm.gradient, warm.value]);
    const usedBuffers = () => (backend === 'webgpu' ? (flushTfjs(), tfjsUsedBufferCount()) : 0);
    const [tensors, buffers] = [tf.memory().numTensors, usedBuffers()];
    const pass = objectiveGradient(objective, seen);
    const summed = inputGradient((x) => tf.sum(objective.perImage(x)), seen);
    const values = tf.tidy(() => objective.perImage(seen));
    expect(pass.gradient.shape).toEqual(seen.shape);
    expect(await bits(pass.gradient)).toEqual(await bits(summed));
    expect(await bits(pass.value)).toEqual(await bits(values));
    tf.dispose([pass.gradient, pass.value, summed, values]);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(usedBuffers()).toBe(buffers);
    tf.dispose(seen);
    objective.dispose();
    model.dispose();
  });
});

/**
 * The objective's pass as tfjs differentiates it without webxai's shortcuts: the layer's activation
 * by collectActivations with the fused relu layers off (the model's output for 'output'), a OneHot
 * mask, `perImage` of the response in tfjs ops (tf.mean for channels), tf.grad of the sum: the
 * reference for the fused, seeded pass.
 */
function unfusedGradient(
  model: tf.LayersModel | tf.GraphModel,
  layer: string,
  units: number[],
  perImage: (response: tf.Tensor, mask: tf.Tensor2D) => tf.Tensor1D,
  seen: tf.Tensor4D,
) {
  const inputShape = seen.shape.slice(1) as [number, number, number];
  const keyed = layer === 'output' ? undefined : resolveLayers(modelLayers(model, { inputShape }), layer)[0]!;
  const response = (x: tf.Tensor4D) =>
    keyed ? collectActivations(model, x, [keyed], undefined)[0]! : ((model as tf.LayersModel).apply(x) as tf.Tensor);
  tf.env().set(FUSED_RELU_LAYERS_FLAG, false);
  try {
    return tf.tidy(() => {
      const width = keyed ? keyed.outputShape[3]! : response(seen).shape[1]!;
      const mask = tf.oneHot(tf.tensor1d(units, 'int32'), width).toFloat() as tf.Tensor2D;
      const objective = (x: tf.Tensor4D) => perImage(response(x), mask);
      return { gradient: inputGradient(objective, seen), value: objective(seen) };
    });
  } finally {
    tf.env().set(FUSED_RELU_LAYERS_FLAG, true);
  }
}

const channelMeans = (a: tf.Tensor, mask: tf.Tensor2D) => tf.sum<tf.Tensor1D>(tf.mul(tf.mean(a, [1, 2]), mask), 1);

describe.each(['webgpu', 'cpu'])('the channel objective on tiny CNNs (%s)', (backend) => {
  const before = { backend: '' };
  afterAll(async () => {
    await tf.setBackend(before.backend);
  });

  // 10x10 and 14x14 activations: 1 / (h * w) is not a power of two, so its rounding is tested.
  it.each([
    ['sequential', 10],
    ['functional', 14],
    ['nested', 10],
    ['graph', 14],
    ['graph, fused nodes', 10],
  ] as const)(
    '%s (%i px): the fused, seeded pass gives the unfused tf.grad gradient bit for bit, values to 1e-6',
    async (variant, size) => {
      before.backend ||= tf.getBackend();
      await tf.setBackend(backend);
      const weights = tinyCnnWeights({ height: size, width: size, channels: 3, filters: 6, classes: 4, seed: 5 });
      const graph = variant.startsWith('graph');
      const model = graph
        ? await tinyCnnGraphModel(weights, { fuseRelu: variant !== 'graph' })
        : tinyCnn(variant as 'sequential' | 'functional' | 'nested', weights);
      const layer = graph ? 'conv2/Relu' : 'conv2';
      const units = [4, 0, 5];
      const seen = tf.randomUniform<tf.Rank.R4>([3, size, size, 3], 0, 1, 'float32', 11);
      const objective = resolveObjective(adaptModel(model), { layer, channels: units }, [size, size, 3], undefined);
      const want = unfusedGradient(model, layer, units, channelMeans, seen);
      tf.dispose(Object.values(objectiveGradient(objective, seen))); // makes the seed (once)
      const profile = await tf.profile(() => {
        const pass = objectiveGradient(objective, seen);
        return [pass.gradient, pass.value];
      });
      const [gradient, value] = profile.result as [tf.Tensor4D, tf.Tensor1D];
      expect(await bits(gradient)).toEqual(await bits(want.gradient));
      expect(Array.from(await value.data())).toBeAllClose(Array.from(await want.value.data()), { abs: 0, rel: 1e-6 });
      // Fused: the relu convolutions as one kernel each (a graph of unfused nodes keeps its Relu nodes); no OneHot, no Mean gradient (Tile).
      if (variant !== 'graph') expect(profile.kernelNames).toContain('FusedConv2D');
      if (variant !== 'graph') expect(profile.kernelNames).not.toContain('Relu');
      for (const kernel of ['Tile', 'OneHot']) expect(profile.kernelNames).not.toContain(kernel);
      tf.dispose([gradient, value, want.gradient, want.value, seen]);
      objective.dispose();
      if (graph) (model as tf.GraphModel).dispose();
      else (model as tf.LayersModel).dispose();
      disposeWeights(weights);
    },
  );
});

describe.each(['webgpu', 'cpu'])('the neuron and class objectives on a tiny CNN (%s)', (backend) => {
  const before = { backend: '' };
  afterAll(async () => {
    await tf.setBackend(before.backend);
  });

  // Their seeds are written on the host (the mask's ones, zeros elsewhere): pinned here to tfjs's own gradient.
  const neuronAt = (row: number, col: number) => (a: tf.Tensor, mask: tf.Tensor2D) =>
    tf.sum<tf.Tensor1D>(tf.mul(tf.reshape(tf.slice(a, [0, row, col, 0], [-1, 1, 1, -1]), mask.shape), mask), 1);
  const classScores = (scores: tf.Tensor, mask: tf.Tensor2D) => tf.sum<tf.Tensor1D>(tf.mul(scores, mask), 1);
  it.each([
    ['neuron', 'conv2', { layer: 'conv2', neuron: { channel: 0, y: 3, x: 1 } }, [0], neuronAt(3, 1)],
    ['classes', 'output', { classIndex: [3, 0, 3] }, [3, 0, 3], classScores],
  ] as const)('%s: the seeded pass gives the unfused tf.grad gradient bit for bit', async (_, layer, target, units, perImage) => {
    before.backend ||= tf.getBackend();
    await tf.setBackend(backend);
    const weights = tinyCnnWeights({ height: 10, width: 10, channels: 3, filters: 6, classes: 4, seed: 5 });
    const model = tinyCnn('functional', weights);
    const seen = tf.randomUniform<tf.Rank.R4>([units.length, 10, 10, 3], 0, 1, 'float32', 11);
    const objective = resolveObjective(adaptModel(model), target, [10, 10, 3], undefined);
    const want = unfusedGradient(model, layer, [...units], perImage, seen);
    const pass = objectiveGradient(objective, seen);
    expect(await bits(pass.gradient)).toEqual(await bits(want.gradient));
    expect(Math.max(...(await want.gradient.data()).map(Math.abs))).toBeGreaterThan(0); // the unit is live: the seed shows
    expect(Array.from(await pass.value.data())).toBeAllClose(Array.from(await want.value.data()), { abs: 0, rel: 1e-6 });
    tf.dispose([pass.gradient, pass.value, want.gradient, want.value, seen]);
    objective.dispose();
    model.dispose();
    disposeWeights(weights);
  });
});
