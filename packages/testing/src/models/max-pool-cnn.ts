// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { seededBias, seededKernel } from './weights.js';

/**
 * A colour CNN with two max pools, seeded weights: conv1 3x3 (3 -> 6) relu, pool1 2x2, conv2 3x3
 * (6 -> 8) relu, pool2 2x2 'same', gap, logits (dense, 4 classes). For tests of gradients through
 * max pooling (ties) and of every method on both backends. Layer names: conv1, pool1, conv2, pool2, gap, logits.
 */
export function maxPoolCnn(size = 24): tf.LayersModel {
  const conv = (name: string, inChannels: number, filters: number, seed: number, inputShape?: number[]) =>
    tf.layers.conv2d({
      name,
      filters,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      ...(inputShape ? { inputShape } : {}),
      weights: [seededKernel([3, 3, inChannels, filters], seed), seededBias(filters, seed + 1)],
    });
  return tf.sequential({
    name: 'max_pool_cnn',
    layers: [
      conv('conv1', 3, 6, 31, [size, size, 3]),
      tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }),
      conv('conv2', 6, 8, 33),
      tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2, padding: 'same' }),
      tf.layers.globalAveragePooling2d({ name: 'gap' }),
      tf.layers.dense({ name: 'logits', units: 4, weights: [seededKernel([8, 4], 35), seededBias(4, 36)] }),
    ],
  });
}

/** A size x size colour picture with flat regions (ties): grey background, a red square, a blue-green disc. */
export function flatRegionImage(size = 24): tf.Tensor4D {
  const data = new Float32Array(size * size * 3);
  const s = size / 24;
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      let rgb = [0.5, 0.5, 0.5];
      if (r >= 3 * s && r < 11 * s && c >= 4 * s && c < 12 * s) rgb = [0.9, 0.1, 0.1];
      if ((r - 15 * s) ** 2 + (c - 15 * s) ** 2 < 30 * s * s) rgb = [0.1, 0.6, 0.8];
      data.set(rgb, (r * size + c) * 3);
    }
  }
  return tf.tensor4d(data, [1, size, size, 3]);
}
