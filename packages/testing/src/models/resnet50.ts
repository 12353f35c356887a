// SPDX-License-Identifier: Apache-2.0
// ResNet-50 (He et al., CVPR 2016; the Keras applications layout and layer names) built in code
// with seeded weights, for benchmarks: no downloads, deterministic, realistic cost and topology
// (bottleneck blocks with identity and projection shortcuts). The weights are not trained.
import * as tf from '@tensorflow/tfjs';

/** Size and seed of a code-built ImageNet-style network. */
export interface ImageNetSpec {
  /** Input height = width (default 224). */
  readonly size?: number;
  readonly classes?: number;
  readonly seed?: number;
}

type Sym = tf.SymbolicTensor;

/** He-normal conv kernels and BN-in-inference layers, seeded per layer from `seed`. */
export function seededLayers(seed: number) {
  let next = seed;
  const init = () => tf.initializers.heNormal({ seed: next++ });
  return {
    conv(x: Sym, name: string, filters: number, kernelSize: number, strides = 1, padding: 'same' | 'valid' = 'same'): Sym {
      return tf.layers.conv2d({ name, filters, kernelSize, strides, padding, useBias: false, kernelInitializer: init() }).apply(x) as Sym;
    },
    depthwise(x: Sym, name: string, strides: number): Sym {
      return tf.layers
        .depthwiseConv2d({ name, kernelSize: 3, strides, padding: 'same', useBias: false, depthwiseInitializer: init() })
        .apply(x) as Sym;
    },
    /** Batch norm with moving mean 0 / variance 1; `gamma` scales (small on residual branches keeps depth stable). */
    bn(x: Sym, name: string, gamma = 1): Sym {
      return tf.layers
        .batchNormalization({ name, epsilon: 1.001e-5, gammaInitializer: tf.initializers.constant({ value: gamma }) })
        .apply(x) as Sym;
    },
    dense(x: Sym, name: string, units: number): Sym {
      return tf.layers.dense({ name, units, kernelInitializer: tf.initializers.glorotUniform({ seed: next++ }) }).apply(x) as Sym;
    },
  };
}

/**
 * ResNet-50 with Keras layer names (conv1_conv, conv2_block1_1_conv, ..., conv5_block3_out,
 * avg_pool, predictions); logits (no softmax). 25.6M parameters at 1000 classes.
 *
 * @example
 * const model = resnet50({ size: 224 }); // last 4-D layer: conv5_block3_out [null, 7, 7, 2048]
 */
export function resnet50(spec: ImageNetSpec = {}): tf.LayersModel {
  const { size = 224, classes = 1000, seed = 50 } = spec;
  const L = seededLayers(seed);
  const relu = (x: Sym, name: string) => tf.layers.activation({ name, activation: 'relu' }).apply(x) as Sym;
  const block = (x: Sym, name: string, filters: number, strides: number, project: boolean): Sym => {
    const shortcut = project ? L.bn(L.conv(x, `${name}_0_conv`, 4 * filters, 1, strides), `${name}_0_bn`) : x;
    let y = relu(L.bn(L.conv(x, `${name}_1_conv`, filters, 1, strides), `${name}_1_bn`), `${name}_1_relu`);
    y = relu(L.bn(L.conv(y, `${name}_2_conv`, filters, 3), `${name}_2_bn`), `${name}_2_relu`);
    y = L.bn(L.conv(y, `${name}_3_conv`, 4 * filters, 1), `${name}_3_bn`, 0.2);
    return relu(tf.layers.add({ name: `${name}_add` }).apply([shortcut, y]) as Sym, `${name}_out`);
  };
  const input = tf.input({ shape: [size, size, 3], name: 'input_1' });
  let x = tf.layers.zeroPadding2d({ name: 'conv1_pad', padding: 3 }).apply(input) as Sym;
  x = relu(L.bn(L.conv(x, 'conv1_conv', 64, 7, 2, 'valid'), 'conv1_bn'), 'conv1_relu');
  x = tf.layers.zeroPadding2d({ name: 'pool1_pad', padding: 1 }).apply(x) as Sym;
  x = tf.layers.maxPooling2d({ name: 'pool1_pool', poolSize: 3, strides: 2 }).apply(x) as Sym;
  const stages: [number, number, number][] = [
    [64, 3, 1],
    [128, 4, 2],
    [256, 6, 2],
    [512, 3, 2],
  ];
  stages.forEach(([filters, blocks, stride], s) => {
    for (let b = 0; b < blocks; b++) x = block(x, `conv${s + 2}_block${b + 1}`, filters, b === 0 ? stride : 1, b === 0);
  });
  x = tf.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(x) as Sym;
  const output = L.dense(x, 'predictions', classes);
  return tf.model({ inputs: input, outputs: output, name: 'resnet50' });
}
