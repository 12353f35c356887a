// SPDX-License-Identifier: Apache-2.0
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { seededF32 } from '@webxai/testing';
import { inputGradient } from '../../interop/input-gradients.js';
import { flushTfjs, tfjsUsedBufferCount } from '../../interop/tfjs-webgpu.js';
import { adaptModel } from '../../model/adapt.js';
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
