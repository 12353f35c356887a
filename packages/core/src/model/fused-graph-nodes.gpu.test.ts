// SPDX-License-Identifier: Apache-2.0
// A GraphModel's relu6 and linear _FusedConv2D / FusedDepthwiseConv2dNative nodes run as webxai's
// ops inside webxai's gradient passes (fused-relu-graph.ts): a MobileNetV2 block (relu6 stem,
// relu6 expand, relu6 depthwise, linear project, residual Add) gives tfjs's input gradients bit
// for bit, flag on vs off, on webgpu and cpu, with the bias fused into each conv and no filter
// gradient; and so does nsfwjs's real MobileNetV2 GraphModel (packages/models/fixtures), on webgpu.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { seededF32 } from '@webxai/testing';
import { adaptModel } from './adapt.js';
import { explain } from '../api/explain.js';
import { targetGradients } from '../gradient/target-gradients.js';
import { relu6Gradient } from './fused-relu-graph.js';
import { checkWebgpuLeaksPerTest } from '../../test/kernel-wrapper-hooks.js';
import { bits, count, withFusion } from '../../test/fusion-flag.js';

type AttrValue = Record<string, unknown>;
const node = (name: string, op: string, input: string[] = [], attr: Record<string, AttrValue> = {}) => ({ name, op, input, attr });
const F32 = { type: 'DT_FLOAT' };
const b64 = (s: string) => Buffer.from(s).toString('base64');
const ints = (...v: number[]) => ({ list: { i: v.map(String) } });
const constNode = (name: string, shape: readonly number[], dtype = 'DT_FLOAT') =>
  node(name, 'Const', [], {
    dtype: { type: dtype },
    value: { tensor: { dtype, tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } },
  });
/** A fused node as tfjs-converter writes one: BiasAdd, then `activation` unless linear. */
const fused = (name: string, op: string, input: string, stride: number, activation?: 'Relu6' | 'Relu') =>
  node(name, op, [input, `${name}/kernel`, `${name}/bias`], {
    T: F32,
    strides: ints(1, stride, stride, 1),
    padding: { s: b64('SAME') },
    data_format: { s: b64('NHWC') },
    dilations: ints(1, 1, 1, 1),
    num_args: { i: '1' },
    fused_ops: { list: { s: ['BiasAdd', ...(activation ? [activation] : [])].map(b64) } },
  });

/** The block's weights: name, shape, value range (the stem's reach past 6, so relu6 clips). */
const WEIGHTS: [string, number[], number][] = [
  ['stem/kernel', [3, 3, 3, 4], 1.5],
  ['stem/bias', [4], 1],
  ['expand/kernel', [1, 1, 4, 8], 1.5],
  ['expand/bias', [8], 1],
  ['dw/kernel', [3, 3, 8, 1], 1],
  ['dw/bias', [8], 1],
  ['project/kernel', [1, 1, 8, 4], 1],
  ['project/bias', [4], 1],
  ['logits/kernel', [4, 5], 1],
  ['logits/bias', [5], 1],
];

/**
 * A MobileNetV2 inverted-residual block over a stride-2 stem, 8x8x3 in, 5 scores out, as
 * tfjs-converter graph nodes; the depthwise node's activation `dw` (Relu6 as in MobileNetV2).
 */
async function mobileBlockGraph(seed: number, dw: 'Relu6' | 'Relu' = 'Relu6'): Promise<tf.GraphModel> {
  const topology = {
    node: [
      node('image', 'Placeholder', [], { dtype: F32, shape: { shape: { dim: [-1, 8, 8, 3].map((d) => ({ size: String(d) })) } } }),
      ...WEIGHTS.map(([name, shape]) => constNode(name, shape)),
      constNode('gap/axes', [2], 'DT_INT32'),
      fused('stem', '_FusedConv2D', 'image', 2, 'Relu6'),
      fused('expand', '_FusedConv2D', 'stem', 1, 'Relu6'),
      fused('dw', 'FusedDepthwiseConv2dNative', 'expand', 1, dw),
      fused('project', '_FusedConv2D', 'dw', 1),
      node('residual', 'AddV2', ['stem', 'project'], { T: F32 }),
      node('gap', 'Mean', ['residual', 'gap/axes'], { T: F32, keep_dims: { b: false } }),
      node('logits/MatMul', 'MatMul', ['gap', 'logits/kernel'], { T: F32, transpose_a: { b: false }, transpose_b: { b: false } }),
      node('logits', 'BiasAdd', ['logits/MatMul', 'logits/bias'], { T: F32, data_format: { s: b64('NHWC') } }),
    ],
    versions: { producer: 1 },
  };
  const values = WEIGHTS.map(([, shape, range], i) =>
    seededF32(
      shape.reduce((a, b) => a * b, 1),
      seed + i,
      -range,
      range,
    ),
  );
  const weightSpecs = [
    ...WEIGHTS.map(([name, shape]) => ({ name, shape, dtype: 'float32' as const })),
    { name: 'gap/axes', shape: [2], dtype: 'int32' as const },
  ];
  const weightData = new Uint8Array(values.reduce((n, v) => n + v.byteLength, 8));
  values.reduce((offset, v) => (weightData.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), offset), offset + v.byteLength), 0);
  weightData.set(new Uint8Array(Int32Array.from([1, 2]).buffer), weightData.byteLength - 8);
  return tf.loadGraphModel(
    tf.io.fromMemory({ modelTopology: topology, weightSpecs, weightData: weightData.buffer, format: 'graph-model' }),
  );
}

describe.each(['webgpu', 'cpu'] as const)('relu6 and linear fused nodes of a GraphModel in gradient passes (%s)', (backend) => {
  checkWebgpuLeaksPerTest(() => undefined);

  it("relu6Gradient is tfjs's Relu6 gradient bit for bit, at 0, 6, around them, at +-0, +-Inf and NaN", async () => {
    await tf.setBackend(backend);
    const edges = [
      0,
      -0,
      6,
      Math.fround(6 + 2 ** -21),
      Math.fround(6 - 2 ** -21),
      2 ** -149,
      -(2 ** -149),
      3,
      -3,
      7,
      Infinity,
      -Infinity,
      NaN,
    ];
    const upstream = [1, -1, 0, -0, 2.5, -Infinity, Infinity, NaN];
    // Every pair of (z, dy), 13 x 8 = 104 elements (a multiple of 4: relu-grad's kernel runs on webgpu).
    const z = tf.tensor1d(edges.flatMap((e) => upstream.map(() => e)));
    const dy = tf.tensor1d(edges.flatMap(() => upstream));
    const ours = relu6Gradient(dy, z);
    const tfjs = tf.grad((input: tf.Tensor) => tf.relu6(input))(z, dy);
    expect(await bits(ours)).toEqual(await bits(tfjs));
    tf.dispose([z, dy, ours, tfjs]);
  });

  it.each(['Relu6', 'Relu'] as const)(
    "give tfjs's input gradient bit for bit, each conv's bias fused and no filter gradient (depthwise %s)",
    async (dw) => {
      await tf.setBackend(backend);
      const graph = await mobileBlockGraph(81, dw);
      const x = tf.tensor4d(seededF32(2 * 8 * 8 * 3, 82, -1, 1), [2, 8, 8, 3]);
      const run = (on: boolean) => withFusion(on, () => targetGradients(adaptModel(graph), x, [1, 3]));
      const [on, off] = [await run(true), await run(false)];
      expect(on.values).toEqual(off.values);
      expect(on.values.some((v) => v !== 0)).toBe(true);
      // The relu6 stem clips somewhere (else relu6's upper mask would go untested).
      const stem = tf.tidy(() => tf.any(tf.greater(graph.execute(x, 'stem') as tf.Tensor, 5.999)));
      expect(await stem.data()).toEqual(new Uint8Array([1]));
      stem.dispose();
      const relu6s = dw === 'Relu6' ? 3 : 2;
      const kernels = ['FusedConv2D', 'FusedDepthwiseConv2D', 'Conv2D', 'DepthwiseConv2dNative', 'Relu6', 'Relu', 'Conv2DBackpropFilter'];
      // Flag on: 3 convs and the depthwise each one fused kernel with its bias (relu inside); relu6 its own op.
      expect(kernels.map((k) => count(on.kernels, k))).toEqual([3, 1, 0, 0, relu6s, 0, 0]);
      // Flag off (tfjs): relu / relu6 nodes unfused (conv, Add, activation), the linear one fused but with its filter gradient.
      expect(kernels.map((k) => count(off.kernels, k))).toEqual([1, 0, 2, 1, relu6s, 3 - relu6s, 1]);
      tf.dispose([x]);
      graph.dispose();
    },
  );

  it('keep explanations bit for bit (saliency, batched integrated gradients); predictions untouched', async () => {
    await tf.setBackend(backend);
    const graph = await mobileBlockGraph(83);
    const x = tf.tensor4d(seededF32(2 * 8 * 8 * 3, 84, 0, 1), [2, 8, 8, 3]);
    for (const options of [
      { method: 'saliency', target: [0, 4] },
      { method: 'integrated-gradients', steps: 4, batchSize: 3 },
    ]) {
      const of = async () => (await explain(graph, x, options as never)).attribution;
      expect((await withFusion(true, of)).values, options.method).toEqual((await withFusion(false, of)).values);
    }
    const predicted = await withFusion(true, () => adaptModel(graph).predict(x));
    expect(count(predicted.kernels, 'FusedConv2D')).toBe(3); // tfjs fuses outside a tape; nothing of ours runs
    tf.dispose([x]);
    graph.dispose();
  });
});

/** nsfwjs@4.3.0's mobilenet_v2_mid GraphModel (MobileNetV2 224x224x3, 35 relu6 + 17 linear fused nodes), read from disk. */
async function nsfwjsGraphModel(): Promise<tf.GraphModel> {
  const dir = new URL('../../../models/fixtures/nsfwjs-mobilenet-v2-mid/', import.meta.url);
  const json = JSON.parse(await readFile(new URL('model.json', dir), 'utf8')) as {
    modelTopology: object;
    weightsManifest: tf.io.WeightsManifestConfig;
  };
  const shards = await Promise.all(json.weightsManifest.flatMap((g) => g.paths).map((path) => readFile(new URL(path, dir))));
  const weights = Buffer.concat(shards);
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength);
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
  return tf.loadGraphModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData, format: 'graph-model' }));
}

describe("nsfwjs's MobileNetV2 GraphModel in gradient passes (webgpu)", () => {
  checkWebgpuLeaksPerTest(() => undefined);

  it('gives the same saliency bits with its 52 fused nodes taken, no filter gradient', async () => {
    const graph = await nsfwjsGraphModel();
    const x = tf.tensor4d(seededF32(224 * 224 * 3, 85, 0, 1), [1, 224, 224, 3]);
    const of = async () => (await explain(graph, x, { method: 'saliency', target: 2 })).attribution;
    const [on, off] = [await withFusion(true, of), await withFusion(false, of)];
    expect(on.values).toEqual(off.values);
    expect(on.values.some((v) => v !== 0)).toBe(true);
    expect(['FusedConv2D', 'FusedDepthwiseConv2D', 'Conv2DBackpropFilter'].map((k) => count(on.kernels, k))).toEqual([35, 17, 0]);
    expect(['FusedConv2D', 'FusedDepthwiseConv2D', 'Conv2DBackpropFilter'].map((k) => count(off.kernels, k))).toEqual([17, 0, 17]);
    x.dispose();
    graph.dispose();
  });
});
