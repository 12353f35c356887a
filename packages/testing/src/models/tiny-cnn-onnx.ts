// SPDX-License-Identifier: Apache-2.0
// The tiny CNN (tinyCnn('sequential')) as an ONNX model, from the same seeded weights, so ONNX
// Runtime and tfjs compute the same function. packages/testing/scripts/make-tiny-cnn-onnx.mjs writes
// it to fixtures/; tiny-cnn-onnx.test.ts checks the committed file is what this code builds.
import onnxProto from 'onnx-proto';
import { seededBiasValues, seededKernelValues } from './weights.js';
import type { TinyCnnSpec } from './tiny-cnn.js';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

/** Permutes a tfjs conv kernel [kh, kw, cin, cout] to ONNX's [cout, cin, kh, kw]. */
function toOihw(kernel: Float32Array, kh: number, kw: number, cin: number, cout: number): Float32Array {
  const out = new Float32Array(kernel.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + y) * kw + x] = kernel[((y * kw + x) * cin + i) * cout + o]!;
  return out;
}

const tensor = (name: string, dims: number[], data: Float32Array) =>
  onnx.TensorProto.create({ name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
const int = (name: string, i: number) => onnx.AttributeProto.create({ name, i, type: onnx.AttributeProto.AttributeType.INT });
const ints = (name: string, v: number[]) => onnx.AttributeProto.create({ name, ints: v, type: onnx.AttributeProto.AttributeType.INTS });
const valueInfo = (name: string, dims: (number | string)[]) =>
  onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  });

/**
 * ONNX bytes (opset 13) of tinyCnn('sequential') with tinyCnnWeights(spec)'s weights: conv1 3x3 +
 * relu, conv2 3x3 + relu (pads 1 = 'same'), GlobalAveragePool, Flatten, Gemm (logits). `layout`
 * is the model input's: 'nchw' (ONNX's convention; input [batch, c, h, w]) or 'nhwc' (a Transpose
 * first; input [batch, h, w, c]). Deterministic: the same spec gives the same bytes.
 */
export function tinyCnnOnnx(spec: TinyCnnSpec = {}, layout: 'nchw' | 'nhwc' = 'nchw'): Uint8Array {
  const s: Required<TinyCnnSpec> = { height: 16, width: 16, channels: 3, filters: 8, classes: 4, seed: 1, ...spec };
  const { height, width, channels, filters, classes, seed } = s;
  const conv1 = toOihw(seededKernelValues([3, 3, channels, filters], seed), 3, 3, channels, filters);
  const conv2 = toOihw(seededKernelValues([3, 3, filters, filters], seed + 2), 3, 3, filters, filters);
  const nodes = [];
  let input = 'image';
  if (layout === 'nhwc') {
    nodes.push(
      onnx.NodeProto.create({
        name: 'to_nchw',
        opType: 'Transpose',
        input: ['image'],
        output: ['image_nchw'],
        attribute: [ints('perm', [0, 3, 1, 2])],
      }),
    );
    input = 'image_nchw';
  }
  const convAttrs = [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1]), ints('strides', [1, 1])];
  nodes.push(
    onnx.NodeProto.create({
      name: 'conv1',
      opType: 'Conv',
      input: [input, 'conv1/kernel', 'conv1/bias'],
      output: ['conv1/out'],
      attribute: convAttrs,
    }),
    onnx.NodeProto.create({ name: 'conv1/relu', opType: 'Relu', input: ['conv1/out'], output: ['conv1/relu'] }),
    onnx.NodeProto.create({
      name: 'conv2',
      opType: 'Conv',
      input: ['conv1/relu', 'conv2/kernel', 'conv2/bias'],
      output: ['conv2/out'],
      attribute: convAttrs,
    }),
    onnx.NodeProto.create({ name: 'conv2/relu', opType: 'Relu', input: ['conv2/out'], output: ['conv2/relu'] }),
    onnx.NodeProto.create({ name: 'gap', opType: 'GlobalAveragePool', input: ['conv2/relu'], output: ['gap/out'] }),
    onnx.NodeProto.create({ name: 'flatten', opType: 'Flatten', input: ['gap/out'], output: ['gap/flat'], attribute: [int('axis', 1)] }),
    onnx.NodeProto.create({ name: 'logits', opType: 'Gemm', input: ['gap/flat', 'logits/kernel', 'logits/bias'], output: ['logits'] }),
  );
  const graph = onnx.GraphProto.create({
    name: 'tiny_cnn',
    node: nodes,
    initializer: [
      tensor('conv1/kernel', [filters, channels, 3, 3], conv1),
      tensor('conv1/bias', [filters], seededBiasValues(filters, seed + 1)),
      tensor('conv2/kernel', [filters, filters, 3, 3], conv2),
      tensor('conv2/bias', [filters], seededBiasValues(filters, seed + 3)),
      tensor('logits/kernel', [filters, classes], seededKernelValues([filters, classes], seed + 4)),
      tensor('logits/bias', [classes], seededBiasValues(classes, seed + 5)),
    ],
    input: [valueInfo('image', layout === 'nchw' ? ['batch', channels, height, width] : ['batch', height, width, channels])],
    output: [valueInfo('logits', ['batch', classes])],
  });
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'webxai-testing',
    opsetImport: [{ domain: '', version: 13 }],
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}
