// SPDX-License-Identifier: Apache-2.0
// The tiny CNN as a tf.GraphModel, written as a TF GraphDef in JSON (no Python converter runs here;
// see ../shared/examples/graph-model). Same weights as tinyCnn('sequential'), so same outputs.
import * as tf from '@tensorflow/tfjs';
import type { TinyCnnWeights } from './tiny-cnn.js';

type AttrValue = Record<string, unknown>;
const node = (name: string, op: string, input: string[] = [], attr: Record<string, AttrValue> = {}) => ({ name, op, input, attr });
const F32 = { type: 'DT_FLOAT' };
const b64 = (s: string) => (typeof btoa === 'function' ? btoa(s) : Buffer.from(s).toString('base64'));
const ints = (...v: number[]) => ({ list: { i: v.map(String) } });
const constNode = (name: string, shape: readonly number[], dtype: 'DT_FLOAT' | 'DT_INT32' = 'DT_FLOAT') =>
  node(name, 'Const', [], {
    dtype: { type: dtype },
    value: { tensor: { dtype, tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } },
  });
const convAttrs = {
  T: F32,
  strides: ints(1, 1, 1, 1),
  padding: { s: b64('SAME') },
  data_format: { s: b64('NHWC') },
  dilations: ints(1, 1, 1, 1),
};
const conv = (name: string, input: string, kernel: string) => node(name, 'Conv2D', [input, kernel], convAttrs);

/** conv → BiasAdd → Relu as three nodes, or as one `_FusedConv2D` (what tfjs-converter makes of a Keras Conv2D). */
function convRelu(layer: string, input: string, fuseRelu: boolean) {
  if (fuseRelu) {
    const fusedOps = { list: { s: [b64('BiasAdd'), b64('Relu')] } };
    return [
      node(`${layer}/Relu`, '_FusedConv2D', [input, `${layer}/kernel`, `${layer}/bias`], {
        ...convAttrs,
        num_args: { i: '1' },
        fused_ops: fusedOps,
        epsilon: { f: 0 },
      }),
    ];
  }
  return [
    conv(`${layer}/Conv2D`, input, `${layer}/kernel`),
    node(`${layer}/BiasAdd`, 'BiasAdd', [`${layer}/Conv2D`, `${layer}/bias`], { T: F32, data_format: { s: b64('NHWC') } }),
    node(`${layer}/Relu`, 'Relu', [`${layer}/BiasAdd`], { T: F32 }),
  ];
}

/**
 * Node names: image (input), conv1/Relu, conv2/Relu (the 4-D activations), gap, logits (output).
 * With `fuseRelu`, each conv + bias + ReLU is one `_FusedConv2D` node (fused_ops BiasAdd, Relu) named
 * conv1/Relu / conv2/Relu, as tfjs-converter's grappler pass produces from a Keras model.
 * Async because weight bytes are read with `await tensor.data()` (works on every backend).
 */
export async function tinyCnnGraphModel(weights: TinyCnnWeights, options: { fuseRelu?: boolean } = {}): Promise<tf.GraphModel> {
  const fuseRelu = options.fuseRelu ?? false;
  const { height, width, channels, filters, classes } = weights.spec;
  const topology = {
    node: [
      node('image', 'Placeholder', [], {
        dtype: F32,
        shape: { shape: { dim: [-1, height, width, channels].map((d) => ({ size: String(d) })) } },
      }),
      constNode('conv1/kernel', [3, 3, channels, filters]),
      constNode('conv1/bias', [filters]),
      ...convRelu('conv1', 'image', fuseRelu),
      constNode('conv2/kernel', [3, 3, filters, filters]),
      constNode('conv2/bias', [filters]),
      ...convRelu('conv2', 'conv1/Relu', fuseRelu),
      constNode('gap/axes', [2], 'DT_INT32'),
      node('gap', 'Mean', ['conv2/Relu', 'gap/axes'], { T: F32, keep_dims: { b: false } }),
      constNode('logits/kernel', [filters, classes]),
      constNode('logits/bias', [classes]),
      node('logits/MatMul', 'MatMul', ['gap', 'logits/kernel'], { T: F32, transpose_a: { b: false }, transpose_b: { b: false } }),
      node('logits', 'BiasAdd', ['logits/MatMul', 'logits/bias'], { T: F32, data_format: { s: b64('NHWC') } }),
    ],
    versions: { producer: 1 },
  };
  const entries: [string, tf.Tensor | Int32Array][] = [
    ['conv1/kernel', weights.conv1[0]],
    ['conv1/bias', weights.conv1[1]],
    ['conv2/kernel', weights.conv2[0]],
    ['conv2/bias', weights.conv2[1]],
    ['gap/axes', Int32Array.from([1, 2])],
    ['logits/kernel', weights.logits[0]],
    ['logits/bias', weights.logits[1]],
  ];
  const chunks: Uint8Array[] = [];
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  for (const [name, value] of entries) {
    const data = value instanceof Int32Array ? value : ((await value.data()) as Float32Array);
    chunks.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    weightSpecs.push({
      name,
      shape: value instanceof Int32Array ? [value.length] : value.shape,
      dtype: value instanceof Int32Array ? 'int32' : 'float32',
    });
  }
  const weightData = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  chunks.reduce((offset, c) => (weightData.set(c, offset), offset + c.byteLength), 0);
  return tf.loadGraphModel(
    tf.io.fromMemory({ modelTopology: topology, weightSpecs, weightData: weightData.buffer, format: 'graph-model' }),
  );
}
