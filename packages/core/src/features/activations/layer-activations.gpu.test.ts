// SPDX-License-Identifier: Apache-2.0
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  disposeWeights,
  identityFeatureModel,
  tinyCnn,
  tinyCnnGraphModel,
  tinyCnnWeights,
  type TinyCnnWeights,
} from '@webxai/testing/models';
import { InvalidOptionError, UnknownLayerError, UnsupportedModelError } from '@webxai/shaders';
import { disposeResult } from '../../api/dispose-result.js';
import { tfjsUsedBufferCount } from '../../interop/tfjs-webgpu.js';
import { layerActivations, type LayerActivationsResult } from './layer-activations.js';

const values = async (t: tf.Tensor) => Array.from(await t.data());
const disposeAll = (r: LayerActivationsResult) => r.layers.forEach(disposeResult);

describe('layerActivations', () => {
  let weights: TinyCnnWeights;
  beforeAll(async () => {
    await tf.setBackend('webgpu');
    weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, filters: 6, classes: 4, seed: 23 });
  });
  afterAll(() => disposeWeights(weights));

  it('on a model whose activation is the input: every channel, the hand-made mosaic, channels sorted by mean', async () => {
    // 'features' = relu(identity 1x1 conv): the activation IS the input clipped at 0.
    const model = identityFeatureModel(2, 3, [[1], [1], [1]]);
    // channel 0 ramps 0..5, channel 1 constant 2, channel 2 ramps 10..0 by 2 (mean 5)
    const pixels = Array.from({ length: 6 }, (_, p) => [p, 2, 10 - 2 * p]).flat();
    const x = tf.tensor4d(pixels, [1, 2, 3, 3]);
    const r = await layerActivations(model, x, { layer: 'features', sort: true, padding: 1, background: -1 });
    const [l] = r.layers;
    expect(r.path).toBe('gpu');
    expect(l!.layer).toBe('features');
    expect(await values(l!.activation)).toEqual(pixels);
    expect(await values(l!.mean)).toEqual([2.5, 2, 5]);
    expect(l!.order).toEqual([[2, 0, 1]]);
    expect(l!.grid).toEqual({ rows: 2, cols: 2, tileHeight: 2, tileWidth: 3, padding: 1 });
    expect(l!.mosaic.shape).toEqual([1, 5, 7]);
    const ramp = [0, 1, 2, 3, 4, 5].map((v) => v / 5);
    const down = ramp.map((v) => 1 - v);
    // row-major 5 x 7: tiles (slot 0 = channel 2, slot 1 = channel 0 / slot 2 = channel 1 (constant -> 0), slot 3 empty)
    const want = [
      ...down.slice(0, 3),
      -1,
      ...ramp.slice(0, 3),
      ...down.slice(3),
      -1,
      ...ramp.slice(3),
      ...new Array<number>(7).fill(-1),
      0,
      0,
      0,
      -1,
      -1,
      -1,
      -1,
      0,
      0,
      0,
      -1,
      -1,
      -1,
      -1,
    ];
    expect(await values(l!.mosaic)).toBeAllClose(want, { abs: 1e-6, rel: 0 });
    disposeAll(r);
    x.dispose();
  });

  it('names layers as CAM does, in nested LayersModels and GraphModels, one pass for several layers', async () => {
    const nested = tinyCnn('nested', weights);
    const sequential = tinyCnn('sequential', weights);
    const graph = await tinyCnnGraphModel(weights);
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 3);
    const a = await layerActivations(nested, x, { layers: 'all' });
    expect(a.layers.map((l) => l.layer)).toEqual(['backbone', 'backbone/conv1', 'backbone/conv2']);
    const b = await layerActivations(nested, x, { layer: 'conv1' });
    const c = await layerActivations(sequential, x, { layers: ['conv1', 'conv2'] });
    const d = await layerActivations(graph, x, { layers: ['conv1/Relu', 'conv2/Relu'] });
    const e = await layerActivations(graph, x); // 'auto'
    expect(b.layers[0]!.layer).toBe('backbone/conv1');
    expect(e.layers[0]!.layer).toBe('conv2/Relu');
    const conv1 = await values(c.layers[0]!.activation);
    const conv2 = await values(c.layers[1]!.activation);
    expect(conv1.some((v) => v > 0)).toBe(true);
    for (const [got, want] of [
      [a.layers[1], conv1],
      [a.layers[2], conv2],
      [a.layers[0], conv2],
      [b.layers[0], conv1],
      [d.layers[0], conv1],
      [d.layers[1], conv2],
    ] as const) {
      expect(await values(got!.activation)).toBeAllClose(want, { abs: 1e-6, rel: 1e-5 });
    }
    expect(await values(d.layers[1]!.mosaic)).toBeAllClose(await values(c.layers[1]!.mosaic), { abs: 1e-5, rel: 0 });
    [a, b, c, d, e].forEach(disposeAll);
    graph.dispose();
    x.dispose();
  });

  it('webgpu and cpu agree, and nothing leaks', async () => {
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 5);
    await tf.setBackend('cpu');
    // Weights made on cpu: moving webgpu tensors to cpu needs OffscreenCanvas in Node.
    const cpuWeights = tinyCnnWeights(weights.spec);
    const model = tinyCnn('functional', cpuWeights);
    const cpu = await layerActivations(model, x, { layers: 'all', sort: true, columns: 4 });
    expect(cpu.path).toBe('cpu');
    const want = await Promise.all(cpu.layers.map((l) => values(l.mosaic)));
    const wantOrder = cpu.layers.map((l) => l.order);
    disposeAll(cpu);
    await tf.setBackend('webgpu');
    const gpu = await layerActivations(model, x, { layers: 'all', sort: true, columns: 4 });
    for (const [i, l] of gpu.layers.entries()) {
      expect(await values(l.mosaic)).toBeAllClose(want[i]!, { abs: 1e-5, rel: 0 });
      expect(l.order).toEqual(wantOrder[i]);
    }
    disposeAll(gpu);
    const tensors = tf.memory().numTensors;
    const buffers = tfjsUsedBufferCount();
    for (let i = 0; i < 5; i++) disposeAll(await layerActivations(model, x, { layers: 'all', sort: i % 2 === 0 }));
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tfjsUsedBufferCount()).toBe(buffers);
    disposeWeights(cpuWeights);
    x.dispose();
  });

  it('bad layers and options get typed errors; nothing leaks on the way', async () => {
    const model = tinyCnn('functional', weights);
    const x = tf.zeros([1, 8, 8, 3]);
    const tensors = tf.memory().numTensors;
    const missing = await layerActivations(model, x, { layer: 'conv9' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(UnknownLayerError);
    expect((missing as UnknownLayerError).candidates).toEqual(['conv1', 'conv2', 'skip_add']);
    await expect(layerActivations(model, x, { layer: 'gap' })).rejects.toThrow(/not a 4-D/);
    await expect(layerActivations(model, x, { layer: 'conv1', layers: ['conv2'] })).rejects.toThrow(InvalidOptionError);
    await expect(layerActivations(model, x, { columns: 0 })).rejects.toThrow(/columns must be an integer >= 1/);
    await expect(layerActivations(model, x, { column: 2 } as never)).rejects.toThrow(
      /layerActivations: unknown option 'column' \(did you mean 'columns'\?\)/,
    );
    await expect(layerActivations((v: tf.Tensor4D) => tf.mean<tf.Tensor2D>(v, [1, 2]), x)).rejects.toThrow(UnsupportedModelError);
    expect(tf.memory().numTensors).toBe(tensors);
    x.dispose();
  });
});
