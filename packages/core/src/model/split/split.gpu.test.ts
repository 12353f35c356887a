// SPDX-License-Identifier: Apache-2.0
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { disposeWeights, tinyCnn, tinyCnnGraphModel, tinyCnnWeights, type TinyCnnWeights } from '@webxai/testing/models';
import { UnknownLayerError, UnsupportedModelError } from '@webxai/shaders';
import { listLayers, modelLayers, resolveLayers } from './list-layers.js';

/** The model's functional form inside a nested functional model (nested models called as layers). */
function functionalNested(weights: TinyCnnWeights): tf.LayersModel {
  const inner = tinyCnn('functional', weights);
  const input = tf.input({ shape: [weights.spec.height, weights.spec.width, weights.spec.channels] });
  const out = inner.apply(input) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'outer' });
}

/**
 * The functional (skip) tiny CNN as a GraphModel: image -> conv1/Relu -> conv2/Relu ->
 * skip_add = conv1/Relu + conv2/Relu -> gap -> logits. Same weights as tinyCnn('functional').
 */
async function skipGraphModel(weights: TinyCnnWeights): Promise<tf.GraphModel> {
  const { height, width, channels, filters, classes } = weights.spec;
  const F32 = { type: 'DT_FLOAT' };
  const b64 = (v: string) => Buffer.from(v).toString('base64');
  const ints = (...v: number[]) => ({ list: { i: v.map(String) } });
  const node = (name: string, op: string, input: string[] = [], attr: Record<string, unknown> = {}) => ({ name, op, input, attr });
  const constant = (name: string, shape: number[], dtype = 'DT_FLOAT') =>
    node(name, 'Const', [], {
      dtype: { type: dtype },
      value: { tensor: { dtype, tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } },
    });
  const conv = (name: string, input: string, cin: number) => [
    constant(`${name}/kernel`, [3, 3, cin, filters]),
    constant(`${name}/bias`, [filters]),
    node(`${name}/Conv2D`, 'Conv2D', [input, `${name}/kernel`], {
      T: F32,
      strides: ints(1, 1, 1, 1),
      padding: { s: b64('SAME') },
      data_format: { s: b64('NHWC') },
      dilations: ints(1, 1, 1, 1),
    }),
    node(`${name}/BiasAdd`, 'BiasAdd', [`${name}/Conv2D`, `${name}/bias`], { T: F32, data_format: { s: b64('NHWC') } }),
    node(`${name}/Relu`, 'Relu', [`${name}/BiasAdd`], { T: F32 }),
  ];
  const topology = {
    node: [
      node('image', 'Placeholder', [], {
        dtype: F32,
        shape: { shape: { dim: [-1, height, width, channels].map((d) => ({ size: String(d) })) } },
      }),
      ...conv('conv1', 'image', channels),
      ...conv('conv2', 'conv1/Relu', filters),
      node('skip_add', 'AddV2', ['conv1/Relu', 'conv2/Relu'], { T: F32 }),
      constant('gap/axes', [2], 'DT_INT32'),
      node('gap', 'Mean', ['skip_add', 'gap/axes'], { T: F32, keep_dims: { b: false } }),
      constant('logits/kernel', [filters, classes]),
      constant('logits/bias', [classes]),
      node('logits/MatMul', 'MatMul', ['gap', 'logits/kernel'], { T: F32, transpose_a: { b: false }, transpose_b: { b: false } }),
      node('logits', 'BiasAdd', ['logits/MatMul', 'logits/bias'], { T: F32, data_format: { s: b64('NHWC') } }),
    ],
    versions: { producer: 1 },
  };
  const tensors: [string, tf.Tensor][] = [
    ['conv1/kernel', weights.conv1[0]],
    ['conv1/bias', weights.conv1[1]],
    ['conv2/kernel', weights.conv2[0]],
    ['conv2/bias', weights.conv2[1]],
    ['gap/axes', tf.tensor1d([1, 2], 'int32')],
    ['logits/kernel', weights.logits[0]],
    ['logits/bias', weights.logits[1]],
  ];
  const chunks: Uint8Array[] = [];
  for (const [, t] of tensors) {
    const data = await t.data();
    chunks.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  const weightData = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  chunks.reduce((offset, c) => (weightData.set(c, offset), offset + c.byteLength), 0);
  tensors[4]![1].dispose();
  const weightSpecs = tensors.map(([name, t]) => ({ name, shape: t.shape, dtype: t.dtype as 'float32' | 'int32' }));
  return tf.loadGraphModel(
    tf.io.fromMemory({ modelTopology: topology, weightSpecs, weightData: weightData.buffer, format: 'graph-model' }),
  );
}

describe('listLayers and model splitting', () => {
  let weights: TinyCnnWeights;
  let x: tf.Tensor4D;
  beforeAll(async () => {
    await tf.setBackend('webgpu');
    weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, filters: 4, classes: 5, seed: 21 });
    x = tf.randomUniform<tf.Rank.R4>([2, 8, 8, 3], 0, 1, 'float32', 4);
  });
  afterAll(() => {
    disposeWeights(weights);
    x.dispose();
  });

  it('lists candidates with shapes and kinds for every model kind, and auto picks the last one', async () => {
    const graph = await tinyCnnGraphModel(weights);
    const cases: [string, tf.LayersModel | tf.GraphModel, string[], string][] = [
      ['sequential', tinyCnn('sequential', weights), ['conv1', 'conv2'], 'conv2'],
      ['functional', tinyCnn('functional', weights), ['conv1', 'conv2', 'skip_add'], 'skip_add'],
      ['nested', tinyCnn('nested', weights), ['backbone', 'backbone/conv1', 'backbone/conv2'], 'backbone/conv2'],
      ['graph', graph, ['conv1/Conv2D', 'conv1/BiasAdd', 'conv1/Relu', 'conv2/Conv2D', 'conv2/BiasAdd', 'conv2/Relu'], 'conv2/Relu'],
    ];
    for (const [, model, names, auto] of cases) {
      const layers = listLayers(model);
      expect(layers.map((l) => l.name)).toEqual(names);
      for (const l of layers) expect(l.outputShape).toEqual([null, 8, 8, 4]);
      expect(resolveLayers(modelLayers(model), 'auto').map((l) => l.name)).toEqual([auto]);
    }
    const kinds = Object.fromEntries(listLayers(tinyCnn('functional', weights)).map((l) => [l.name, l.kind]));
    expect(kinds).toEqual({ conv1: 'conv', conv2: 'conv', skip_add: 'add' });
    expect(listLayers(tinyCnn('nested', weights))[0]!.kind).toBe('model');
    expect(listLayers(graph).find((l) => l.name === 'conv2/Relu')!.kind).toBe('activation');
    const outer = listLayers(functionalNested(weights)).map((l) => l.name);
    // The nested model's own output is [batch, classes], so it is no candidate; its layers are.
    expect(outer).toEqual(['tiny_functional/conv1', 'tiny_functional/conv2', 'tiny_functional/skip_add']);
  });

  it('head then tail reproduces the model at every candidate, skip connections included', async () => {
    const graph = await tinyCnnGraphModel(weights);
    const models = [
      tinyCnn('sequential', weights),
      tinyCnn('functional', weights),
      tinyCnn('nested', weights),
      functionalNested(weights),
      graph,
      await skipGraphModel(weights),
    ];
    for (const model of models) {
      const predicted = model.predict(x) as tf.Tensor;
      const want = Array.from(await predicted.data());
      predicted.dispose();
      const layers = modelLayers(model);
      const before = tf.memory().numTensors;
      for (const layer of layers.usable) {
        const split = layers.split(layer);
        const { activation, context } = split.head(x);
        expect(activation.shape).toEqual([2, 8, 8, 4]);
        const scores = tf.tidy(() => split.tail(context, activation)); // the tail leaves intermediates to tidy
        expect(Array.from(await scores.data())).toBeAllClose(want, { abs: 1e-5, rel: 1e-4 });
        tf.dispose([activation, scores, ...context.values()]);
      }
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('a GraphModel with a skip connection: auto picks the add, and the tail is fed the skip branch', async () => {
    const graph = await skipGraphModel(weights);
    const layers = modelLayers(graph);
    expect(resolveLayers(layers, 'auto')[0]!.name).toBe('skip_add');
    expect(layers.usable.find((l) => l.name === 'skip_add')!.kind).toBe('add');
    const split = layers.split(resolveLayers(layers, 'conv2/Relu')[0]!);
    const { activation, context } = split.head(x);
    expect([...context.keys()]).toEqual(['conv1/Relu']);
    tf.dispose([activation, ...context.values()]);
  });

  it('the functional tail reads the skip branch from the head (conv1 output is context at conv2)', () => {
    const layers = modelLayers(tinyCnn('functional', weights));
    const split = layers.split(resolveLayers(layers, 'conv2')[0]!);
    const { activation, context } = split.head(x);
    expect(context.size).toBe(1);
    // Zeroing the activation leaves the skip branch: the tail still sees conv1's output.
    const zero = tf.zerosLike(activation);
    const viaSkip = split.tail(context, zero);
    expect(viaSkip.shape).toEqual([2, 5]);
    tf.dispose([activation, zero, viaSkip, ...context.values()]);
  });

  it('bad layers get a typed error listing the candidates', async () => {
    const model = tinyCnn('sequential', weights);
    const layers = modelLayers(model);
    const error = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e as UnknownLayerError;
      }
      throw new Error('did not throw');
    };
    const missing = error(() => resolveLayers(layers, 'conv9'));
    expect(missing).toBeInstanceOf(UnknownLayerError);
    expect(missing.message).toMatch(/no layer named 'conv9'.*Valid layers: conv1, conv2/);
    expect(missing.candidates).toEqual(['conv1', 'conv2']);
    const flat = error(() => resolveLayers(layers, 'gap'));
    expect(flat.message).toMatch(/'gap' \(GlobalAveragePooling2D\) outputs \[batch,4\], not a 4-D/);
    expect(() => listLayers((t: tf.Tensor4D) => t as never)).toThrow(UnsupportedModelError);
    const graph = await tinyCnnGraphModel(weights);
    expect(() => resolveLayers(modelLayers(graph), 'logits')).toThrow(/'logits' \(BiasAdd\) outputs \[batch,5\]/);
  });
});
