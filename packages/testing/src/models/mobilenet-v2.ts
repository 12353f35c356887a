// SPDX-License-Identifier: Apache-2.0
// MobileNetV2 (Sandler et al., CVPR 2018; width 1.0, the Keras applications layout and layer names)
// built in code with seeded weights, for benchmarks: depthwise convolutions, inverted residuals,
// ReLU6. No downloads; the weights are not trained.
import * as tf from '@tensorflow/tfjs';
import { seededLayers, type ImageNetSpec } from './resnet50.js';

type Sym = tf.SymbolicTensor;

/**
 * MobileNetV2 1.0 with Keras layer names (Conv1, block_1_expand, ..., Conv_1, out_relu,
 * global_average_pooling2d, predictions); logits (no softmax). 3.5M parameters at 1000 classes.
 *
 * @example
 * const model = mobileNetV2({ size: 224 }); // last 4-D layer: out_relu [null, 7, 7, 1280]
 */
export function mobileNetV2(spec: ImageNetSpec = {}): tf.LayersModel {
  const { size = 224, classes = 1000, seed = 2 } = spec;
  const L = seededLayers(seed);
  const relu6 = (x: Sym, name: string) => tf.layers.reLU({ name, maxValue: 6 }).apply(x) as Sym;
  const input = tf.input({ shape: [size, size, 3], name: 'input_1' });
  let x = relu6(L.bn(L.conv(input, 'Conv1', 32, 3, 2), 'bn_Conv1'), 'Conv1_relu');
  let channels = 32;
  let index = 0;
  const settings: [number, number, number, number][] = [
    [1, 16, 1, 1],
    [6, 24, 2, 2],
    [6, 32, 3, 2],
    [6, 64, 4, 2],
    [6, 96, 3, 1],
    [6, 160, 3, 2],
    [6, 320, 1, 1],
  ];
  for (const [expansion, out, repeats, stride] of settings) {
    for (let r = 0; r < repeats; r++) {
      const prefix = index === 0 ? 'expanded_conv_' : `block_${index}_`;
      const strides = r === 0 ? stride : 1;
      let y = x;
      if (expansion !== 1)
        y = relu6(L.bn(L.conv(y, `${prefix}expand`, channels * expansion, 1), `${prefix}expand_BN`), `${prefix}expand_relu`);
      y = relu6(L.bn(L.depthwise(y, `${prefix}depthwise`, strides), `${prefix}depthwise_BN`), `${prefix}depthwise_relu`);
      y = L.bn(L.conv(y, `${prefix}project`, out, 1), `${prefix}project_BN`, 0.5);
      x = strides === 1 && channels === out ? (tf.layers.add({ name: `${prefix}add` }).apply([x, y]) as Sym) : y;
      channels = out;
      index++;
    }
  }
  x = relu6(L.bn(L.conv(x, 'Conv_1', 1280, 1), 'Conv_1_bn'), 'out_relu');
  x = tf.layers.globalAveragePooling2d({ name: 'global_average_pooling2d' }).apply(x) as Sym;
  const output = L.dense(x, 'predictions', classes);
  return tf.model({ inputs: input, outputs: output, name: 'mobilenetv2_1.00' });
}
