// SPDX-License-Identifier: Apache-2.0
// Inside webxai's gradient passes a GraphModel's relu _FusedConv2D nodes run as one fused kernel each
// (tfjs-converter's fused.conv2d unfuses them under a tape): the same input gradients bit for bit as
// tfjs's unfused ops, on webgpu and cpu; fewer kernels; a graph of unfused nodes runs as before.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { seededF32 } from '@webxai/testing';
import { disposeWeights, tinyCnn, tinyCnnGraphModel, tinyCnnWeights } from '@webxai/testing/models';
import { adaptModel } from './adapt.js';
import { explain } from '../api/explain.js';
import { targetGradients } from '../gradient/target-gradients.js';
import { checkWebgpuLeaksPerTest } from '../../test/kernel-wrapper-hooks.js';
import { count, withFusion } from '../../test/fusion-flag.js';

describe.each(['webgpu', 'cpu'] as const)('relu _FusedConv2D nodes of a GraphModel fused in gradient passes (%s)', (backend) => {
  checkWebgpuLeaksPerTest(() => undefined);

  it("give tfjs's unfused input gradient bit for bit, with one FusedConv2D per relu conv node and no Relu", async () => {
    await tf.setBackend(backend);
    const weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, filters: 4, classes: 5, seed: 71 });
    const x = tf.tensor4d(seededF32(2 * 8 * 8 * 3, 72, -1, 1), [2, 8, 8, 3]);
    for (const fuseRelu of [true, false]) {
      const graph = await tinyCnnGraphModel(weights, { fuseRelu });
      const run = (fused: boolean) => withFusion(fused, () => Promise.resolve(targetGradients(adaptModel(graph), x, [1, 3])));
      const [fused, plain] = [await run(true), await run(false)];
      expect(fused.values, `fuseRelu ${fuseRelu}`).toEqual(plain.values);
      expect(fused.values.some((v) => v !== 0)).toBe(true);
      // Unfused graph nodes (Conv2D, BiasAdd, Relu) run as they are, flag or not.
      expect(count(fused.kernels, 'FusedConv2D')).toBe(fuseRelu ? 2 : 0);
      expect(count(plain.kernels, 'FusedConv2D')).toBe(0);
      expect(count(fused.kernels, 'Relu')).toBe(fuseRelu ? 0 : 2);
      expect(count(plain.kernels, 'Relu')).toBe(2);
      graph.dispose();
    }
    x.dispose();
    disposeWeights(weights);
  });

  it("explanations of the graph keep the LayersModel's bits (saliency, batched integrated gradients), predictions are untouched", async () => {
    await tf.setBackend(backend);
    const weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, filters: 4, classes: 5, seed: 73 });
    const layers = tinyCnn('sequential', weights);
    const graph = await tinyCnnGraphModel(weights, { fuseRelu: true });
    const x = tf.tensor4d(seededF32(2 * 8 * 8 * 3, 74, 0, 1), [2, 8, 8, 3]);
    for (const options of [
      { method: 'saliency', target: [0, 4] },
      { method: 'integrated-gradients', steps: 4, batchSize: 3 },
    ]) {
      const of = async (model: tf.LayersModel | tf.GraphModel) => (await explain(model, x, options as never)).attribution;
      const graphRun = await withFusion(true, () => of(graph));
      const layersRun = await withFusion(true, () => of(layers));
      expect(graphRun.values, options.method).toEqual(layersRun.values);
    }
    const predicted = await withFusion(true, () => adaptModel(graph).predict(x));
    expect(count(predicted.kernels, 'FusedConv2D')).toBe(2); // tfjs fuses outside a tape; nothing of ours runs
    tf.dispose([x]);
    graph.dispose();
    layers.dispose();
    disposeWeights(weights);
  });
});
