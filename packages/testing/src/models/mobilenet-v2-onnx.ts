// SPDX-License-Identifier: Apache-2.0
// MobileNetV2 1.0 (Sandler et al., CVPR 2018) as an ONNX model (NCHW, opset 13) with seeded random
// weights, built in memory for benchmarks (batch norm folded away: conv + bias, ReLU6 as Clip).
// Not trained and not stored: it is ~14 MB and takes ~0.2 s to build.
import onnxProto from 'onnx-proto';
import { seededBiasValues, seededKernelValues } from './weights.js';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

/** Size, classes and seed of {@link mobileNetV2Onnx}. */
export interface MobileNetV2OnnxSpec {
  readonly size?: number;
  readonly classes?: number;
  readonly seed?: number;
}

/**
 * ONNX bytes of MobileNetV2 1.0: input 'input' [batch, 3, size, size], output 'logits'
 * [batch, classes]. He-normal conv weights scaled down in the projections so activations stay in
 * range through 17 blocks.
 *
 * @example
 * const session = await ort.InferenceSession.create(mobileNetV2Onnx({ size: 224 }));
 */
export function mobileNetV2Onnx(spec: MobileNetV2OnnxSpec = {}): Uint8Array {
  const { size = 224, classes = 1000, seed = 2 } = spec;
  const nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  const initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  let nextSeed = seed;
  const ints = (name: string, v: number[]) => onnx.AttributeProto.create({ name, ints: v, type: onnx.AttributeProto.AttributeType.INTS });
  const int = (name: string, i: number) => onnx.AttributeProto.create({ name, i, type: onnx.AttributeProto.AttributeType.INT });
  const init = (name: string, dims: number[], data: Float32Array) =>
    initializers.push(
      onnx.TensorProto.create({ name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) }),
    );
  const scaled = (data: Float32Array, s: number) => (s === 1 ? data : data.map((v) => v * s));
  const conv = (x: string, name: string, cin: number, cout: number, k: number, stride: number, groups = 1, gain = 1) => {
    const perGroup = cin / groups;
    init(`${name}/W`, [cout, perGroup, k, k], scaled(seededKernelValues([perGroup * k * k, cout], nextSeed++), gain));
    init(`${name}/B`, [cout], seededBiasValues(cout, nextSeed++));
    const pad = (k - 1) >> 1;
    nodes.push(
      onnx.NodeProto.create({
        name,
        opType: 'Conv',
        input: [x, `${name}/W`, `${name}/B`],
        output: [name],
        attribute: [
          ints('kernel_shape', [k, k]),
          ints('pads', [pad, pad, pad, pad]),
          ints('strides', [stride, stride]),
          int('group', groups),
        ],
      }),
    );
    return name;
  };
  const relu6 = (x: string) => {
    nodes.push(onnx.NodeProto.create({ name: `${x}/relu6`, opType: 'Clip', input: [x, 'zero', 'six'], output: [`${x}/relu6`] }));
    return `${x}/relu6`;
  };
  init('zero', [], Float32Array.of(0));
  init('six', [], Float32Array.of(6));
  let x = relu6(conv('input', 'Conv1', 3, 32, 3, 2));
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
      const prefix = `block_${index}`;
      const strides = r === 0 ? stride : 1;
      const hidden = channels * expansion;
      let y = x;
      if (expansion !== 1) y = relu6(conv(y, `${prefix}_expand`, channels, hidden, 1, 1));
      y = relu6(conv(y, `${prefix}_depthwise`, hidden, hidden, 3, strides, hidden));
      y = conv(y, `${prefix}_project`, hidden, out, 1, 1, 1, 0.5);
      if (strides === 1 && channels === out) {
        nodes.push(onnx.NodeProto.create({ name: `${prefix}_add`, opType: 'Add', input: [x, y], output: [`${prefix}_add`] }));
        y = `${prefix}_add`;
      }
      x = y;
      channels = out;
      index++;
    }
  }
  x = relu6(conv(x, 'Conv_1', channels, 1280, 1, 1));
  nodes.push(onnx.NodeProto.create({ name: 'gap', opType: 'GlobalAveragePool', input: [x], output: ['gap'] }));
  nodes.push(onnx.NodeProto.create({ name: 'flatten', opType: 'Flatten', input: ['gap'], output: ['flat'], attribute: [int('axis', 1)] }));
  init('predictions/W', [1280, classes], seededKernelValues([1280, classes], nextSeed++));
  init('predictions/B', [classes], seededBiasValues(classes, nextSeed++));
  nodes.push(
    onnx.NodeProto.create({ name: 'predictions', opType: 'Gemm', input: ['flat', 'predictions/W', 'predictions/B'], output: ['logits'] }),
  );
  const valueInfo = (name: string, dims: (number | string)[]) =>
    onnx.ValueInfoProto.create({
      name,
      type: {
        tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } },
      },
    });
  const graph = onnx.GraphProto.create({
    name: 'mobilenet_v2',
    node: nodes,
    initializer: initializers,
    input: [valueInfo('input', ['batch', 3, size, size])],
    output: [valueInfo('logits', ['batch', classes])],
  });
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({ irVersion: 7, producerName: 'webxai-testing', opsetImport: [{ domain: '', version: 13 }], graph }),
  ).finish();
}
