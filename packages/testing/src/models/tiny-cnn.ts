// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { seededBias, seededBiasValues, seededKernel, seededKernelValues } from './weights.js';

/** Shape and seed of the tiny test CNN. */
export interface TinyCnnSpec {
  readonly height?: number;
  readonly width?: number;
  readonly channels?: number;
  readonly filters?: number;
  readonly classes?: number;
  readonly seed?: number;
}

/** The tiny CNN's weights, shared by every variant so they compute related functions. */
export interface TinyCnnWeights {
  readonly spec: Required<TinyCnnSpec>;
  readonly conv1: [tf.Tensor, tf.Tensor];
  readonly conv2: [tf.Tensor, tf.Tensor];
  readonly logits: [tf.Tensor, tf.Tensor];
}

/** Seeded weights: conv1 3x3 (c -> f), conv2 3x3 (f -> f), dense (f -> classes). Caller disposes via disposeWeights. */
export function tinyCnnWeights(spec: TinyCnnSpec = {}): TinyCnnWeights {
  const s: Required<TinyCnnSpec> = { height: 16, width: 16, channels: 3, filters: 8, classes: 4, seed: 1, ...spec };
  return {
    spec: s,
    conv1: [seededKernel([3, 3, s.channels, s.filters], s.seed), seededBias(s.filters, s.seed + 1)],
    conv2: [seededKernel([3, 3, s.filters, s.filters], s.seed + 2), seededBias(s.filters, s.seed + 3)],
    logits: [seededKernel([s.filters, s.classes], s.seed + 4), seededBias(s.classes, s.seed + 5)],
  };
}

export function disposeWeights(weights: TinyCnnWeights): void {
  tf.dispose([...weights.conv1, ...weights.conv2, ...weights.logits]);
}

const conv = (name: string, filters: number, inputShape?: number[]) =>
  tf.layers.conv2d({ name, filters, kernelSize: 3, padding: 'same', activation: 'relu', ...(inputShape ? { inputShape } : {}) });

/**
 * The tiny CNN in one of four LayersModel forms with the same weights:
 * - 'sequential': conv1 -> conv2 -> global average pool -> logits (dense, no activation).
 * - 'functional': the same, plus a skip connection: pool(add(conv1, conv2)); the last 4-D layer is 'skip_add'.
 * - 'nested': a sequential whose first layer is the sequential model 'backbone' (conv1 -> conv2).
 * - 'softmax': 'sequential' with softmax probabilities as output (like Teachable Machine exports).
 * Layer names are stable: conv1, conv2, skip_add, gap, logits (backbone for 'nested').
 */
export function tinyCnn(variant: 'sequential' | 'functional' | 'nested' | 'softmax', weights: TinyCnnWeights): tf.LayersModel {
  const { height, width, channels, filters, classes } = weights.spec;
  const inputShape = [height, width, channels];
  let model: tf.LayersModel;
  if (variant === 'functional') {
    const input = tf.input({ shape: inputShape, name: 'image' });
    const a = conv('conv1', filters).apply(input) as tf.SymbolicTensor;
    const b = conv('conv2', filters).apply(a) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: 'skip_add' }).apply([a, b]) as tf.SymbolicTensor;
    const pooled = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(sum) as tf.SymbolicTensor;
    const out = tf.layers.dense({ name: 'logits', units: classes }).apply(pooled) as tf.SymbolicTensor;
    model = tf.model({ inputs: input, outputs: out, name: 'tiny_functional' });
  } else if (variant === 'nested') {
    const backbone = tf.sequential({ name: 'backbone', layers: [conv('conv1', filters, inputShape), conv('conv2', filters)] });
    model = tf.sequential({
      name: 'tiny_nested',
      layers: [backbone, tf.layers.globalAveragePooling2d({ name: 'gap' }), tf.layers.dense({ name: 'logits', units: classes })],
    });
  } else {
    model = tf.sequential({
      name: `tiny_${variant}`,
      layers: [
        conv('conv1', filters, inputShape),
        conv('conv2', filters),
        tf.layers.globalAveragePooling2d({ name: 'gap' }),
        tf.layers.dense({ name: 'logits', units: classes, activation: variant === 'softmax' ? 'softmax' : 'linear' }),
      ],
    });
  }
  const find = (name: string) =>
    variant === 'nested' && name.startsWith('conv') ? (model.getLayer('backbone') as tf.LayersModel).getLayer(name) : model.getLayer(name);
  find('conv1').setWeights(weights.conv1);
  find('conv2').setWeights(weights.conv2);
  find('logits').setWeights(weights.logits);
  return model;
}

/** A linear classifier: flatten -> dense(classes), so d score / d input is exactly the weight row. */
export function linearModel(spec: { height: number; width: number; channels: number; classes: number; seed?: number }): {
  model: tf.LayersModel;
  /** Weight matrix [h*w*c, classes] and bias [classes] as plain arrays (row-major). */
  kernel: Float32Array;
  bias: Float32Array;
} {
  const { height, width, channels, classes, seed = 7 } = spec;
  const features = height * width * channels;
  const model = tf.sequential({
    name: 'linear',
    layers: [tf.layers.flatten({ inputShape: [height, width, channels] }), tf.layers.dense({ units: classes, name: 'logits' })],
  });
  const kernel = seededKernelValues([features, classes], seed);
  const bias = seededBiasValues(classes, seed + 1);
  const tensors = [tf.tensor2d(kernel, [features, classes]), tf.tensor1d(bias)];
  model.getLayer('logits').setWeights(tensors);
  tf.dispose(tensors);
  return { model, kernel, bias };
}
