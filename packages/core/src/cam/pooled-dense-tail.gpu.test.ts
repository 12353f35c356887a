// SPDX-License-Identifier: Apache-2.0
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { countReadbacks } from '@webxai/testing';
import { InvalidInputError, InvalidOptionError } from '@webxai/shaders';
import { disposeWeights, tinyCnn, tinyCnnGraphModel, tinyCnnWeights, type TinyCnnWeights } from '@webxai/testing/models';
import { disposeResult } from '../api/dispose-result.js';
import { createExplainer, explain } from '../api/explain.js';
import { tfjsUsedBufferCount } from '../interop/tfjs-webgpu.js';
import { adaptModel } from '../model/adapt.js';
import { modelLayers } from '../model/split/list-layers.js';
import type { ModelInput } from '../model/types.js';
import { forwardBackward } from './evidence.js';
import { pooledDenseEvidence, pooledDenseTail } from './pooled-dense-tail.js';

const values = async (t: tf.Tensor) => Array.from(await t.data());

/** The split of `model` at `layer`. */
function splitAt(model: ModelInput, layer: string, inputShape?: [number, number, number]) {
  const layers = modelLayers(model, inputShape ? { inputShape } : {});
  return layers.split(layers.usable.find((l) => l.name === layer)!);
}

/** Whether Ablation-CAM at `layer` takes the GAP + Dense shortcut. */
function shortcutAt(model: ModelInput, layer: string, inputShape?: [number, number, number]): boolean {
  return pooledDenseTail(adaptModel(model), splitAt(model, layer, inputShape)) !== undefined;
}

/** The tfjs kernels one explanation of `x` by `method` at conv2 (class 1) runs, after a warm-up. */
async function explainKernels(
  model: tf.LayersModel,
  method: 'grad-cam' | 'ablation-cam',
  x: tf.Tensor4D,
  target: number | 'predicted' = 1,
): Promise<string[]> {
  const explainer = createExplainer(model, { method, layer: 'conv2', target });
  try {
    disposeResult(await explainer.explain(x));
    const info = await tf.profile(async () => {
      disposeResult(await explainer.explain(x));
      return [];
    });
    return info.kernelNames;
  } finally {
    explainer.dispose();
  }
}

const bits = async (t: tf.Tensor) => Array.from(new Uint32Array((await t.data<'float32'>()).slice().buffer));

/**
 * `model` with a linear activation layer 'same' between conv2 and the pooling: the same function,
 * but at conv2 the tail is linear + GAP + Dense, not provably GAP + Dense, so it runs per batch.
 */
function withGeneralTail(model: tf.LayersModel): tf.LayersModel {
  const same = tf.layers.activation({ activation: 'linear', name: 'same' }).apply(model.getLayer('conv2').output) as tf.SymbolicTensor;
  const pooled = model.getLayer('gap').apply(same) as tf.SymbolicTensor;
  return tf.model({ inputs: model.inputs, outputs: model.getLayer('logits').apply(pooled) as tf.SymbolicTensor });
}

/** The sequential tiny CNN with a Dropout between its pooling and its Dense (as EfficientNet's top_dropout): the same function at inference. */
function withDropout(model: tf.LayersModel): tf.LayersModel {
  const dropped = tf.layers.dropout({ rate: 0.5, name: 'top_dropout' }).apply(model.getLayer('gap').getOutputAt(0)) as tf.SymbolicTensor;
  return tf.model({ inputs: model.inputs, outputs: model.getLayer('logits').apply(dropped) as tf.SymbolicTensor });
}

describe('Ablation-CAM pooled shortcut (tail = global average pooling + Dense)', () => {
  let weights: TinyCnnWeights;

  beforeAll(async () => {
    await tf.setBackend('webgpu');
    weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, filters: 6, classes: 4, seed: 43 });
  });
  afterAll(() => disposeWeights(weights));

  it('is taken only where the output is provably Dense(GAP(layer))', async () => {
    const sequential = tinyCnn('sequential', weights);
    expect(shortcutAt(sequential, 'conv2')).toBe(true);
    expect(shortcutAt(tinyCnn('softmax', weights), 'conv2')).toBe(true);
    expect(shortcutAt(tinyCnn('nested', weights), 'backbone/conv2')).toBe(true);
    const functional = tinyCnn('functional', weights);
    expect(shortcutAt(functional, 'skip_add')).toBe(true);
    expect(shortcutAt(functional, 'conv2')).toBe(false); // its tail adds the skip before pooling
    expect(shortcutAt(sequential, 'conv1')).toBe(false);
    expect(shortcutAt(withGeneralTail(sequential), 'conv2')).toBe(false);
    expect(shortcutAt(withGeneralTail(sequential), 'same')).toBe(true);
    expect(shortcutAt(withDropout(sequential), 'conv2')).toBe(true);
    const graph = await tinyCnnGraphModel(weights);
    expect(shortcutAt(graph, 'conv2/Relu', [8, 8, 3])).toBe(false); // GraphModels always run the tail
  });

  it('gives the general path maps, linear and softmax Dense and past a Dropout, on webgpu and cpu', async () => {
    const models = {
      sequential: () => tinyCnn('sequential', weights),
      softmax: () => tinyCnn('softmax', weights),
      dropout: () => withDropout(tinyCnn('sequential', weights)),
    };
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 5);
    const results: Record<string, number[]> = {};
    try {
      // cpu first: models built on the cpu backend read the shared weights synchronously (as the CAM agreement test).
      for (const backend of ['cpu', 'webgpu'] as const) {
        await tf.setBackend(backend);
        for (const [variant, build] of Object.entries(models)) {
          const model = build();
          const pooled = await explain(model, x, { method: 'ablation-cam', layer: 'conv2', batchSize: 4 });
          const general = await explain(withGeneralTail(model), x, { method: 'ablation-cam', layer: 'conv2', batchSize: 4 });
          expect(pooled.path).toBe(backend === 'webgpu' ? 'gpu' : 'cpu');
          const [p, g] = [await values(pooled.map as tf.Tensor), await values(general.map as tf.Tensor)];
          expect(p.some((v) => v > 0)).toBe(true);
          expect(p, `${variant} on ${backend}`).toBeAllClose(g, { abs: 1e-5, rel: 1e-4 });
          results[`${variant} ${backend}`] = await values(pooled.attribution);
          [pooled, general].forEach(disposeResult);
        }
      }
    } finally {
      await tf.setBackend('webgpu'); // a failure here must not leave the next test on cpu
    }
    for (const variant of Object.keys(models))
      expect(results[`${variant} webgpu`], variant).toBeAllClose(results[`${variant} cpu`]!, { abs: 2e-4, rel: 1e-3 });
    x.dispose();
  });

  it("computes a linear tail's weights in one pooled-ablation-weights dispatch on webgpu; a softmax tail keeps tfjs ops", async () => {
    const x = tf.randomUniform<tf.Rank.R4>([1, 8, 8, 3], 0, 1, 'float32', 8);
    for (const [variant, tfjsOps] of [
      ['sequential', false],
      ['softmax', true],
    ] as const) {
      const kernels = await explainKernels(tinyCnn(variant, weights), 'ablation-cam', x);
      // The ops shortcut's minimum (the ablation value) and its target column slice.
      expect(kernels.includes('Min') && kernels.includes('Slice'), variant).toBe(tfjsOps);
    }
    x.dispose();
  });

  it('gives a gradient CAM the same activation, scores and gradient bits as the backward pass, on webgpu and cpu', async () => {
    // Models built on cpu read the shared weights synchronously: bring their values to the host first.
    for (const t of [...weights.conv1, ...weights.conv2, ...weights.logits]) await t.data();
    try {
      for (const backend of ['cpu', 'webgpu'] as const) {
        await tf.setBackend(backend);
        // Made on each backend: a webgpu tensor read on cpu would need a synchronous readback.
        const x = tf.randomUniform<tf.Rank.R4>([2, 8, 8, 3], 0, 1, 'float32', 9);
        for (const build of [() => tinyCnn('sequential', weights), () => withDropout(tinyCnn('sequential', weights))]) {
          const model = build();
          const split = splitAt(model, 'conv2');
          const tail = pooledDenseTail(adaptModel(model), split)!;
          expect(tail.activate).toBeUndefined();
          for (const targets of [[1, 3], undefined]) {
            const before = tf.memory().numTensors;
            const closed = pooledDenseEvidence(tail, split, x, targets);
            const taped = forwardBackward(split, x, targets, []);
            // Given targets need no scores: none are computed.
            if (targets) expect(closed.scores).toBeUndefined();
            for (const key of targets ? (['activation'] as const) : (['activation', 'scores'] as const))
              expect(await bits(closed[key]!), `${key} on ${backend}, targets ${String(targets)}`).toEqual(await bits(taped[key]));
            // The gradient comes un-broadcast, one value per channel; broadcast, it is the backward pass's.
            const [n, , , channels] = closed.activation.shape;
            expect(closed.gradient.shape).toEqual([n, 1, 1, channels]);
            const broadcast = tf.broadcastTo(closed.gradient, taped.gradient.shape);
            expect(await bits(broadcast), `gradient on ${backend}, targets ${String(targets)}`).toEqual(await bits(taped.gradient));
            // The gradient is not constant across classes: the targets matter.
            expect(new Set(await closed.gradient.data()).size).toBeGreaterThan(1);
            // Without targets the pass hands over the argmax it took.
            expect(closed.predicted === undefined).toBe(targets !== undefined);
            tf.dispose([broadcast, closed.predicted, ...[closed, taped].flatMap((e) => [e.activation, e.scores, e.gradient])]);
            expect(tf.memory().numTensors).toBe(before);
          }
        }
        x.dispose();
      }
    } finally {
      await tf.setBackend('webgpu'); // a failure here must not leave the next test on cpu
    }
  });

  it('rejects a target class past the Dense layer before running the head, as resolveTargets does', () => {
    const model = tinyCnn('sequential', weights);
    const split = splitAt(model, 'conv2');
    const x = tf.randomUniform<tf.Rank.R4>([2, 8, 8, 3], 0, 1, 'float32', 9);
    const before = tf.memory().numTensors;
    expect(() => pooledDenseEvidence(pooledDenseTail(adaptModel(model), split)!, split, x, [4, 0])).toThrow(InvalidOptionError);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('runs no backward pass for a gradient CAM through a linear tail; a softmax tail keeps it', async () => {
    const x = tf.randomUniform<tf.Rank.R4>([1, 8, 8, 3], 0, 1, 'float32', 10);
    for (const [variant, backward] of [
      ['sequential', false],
      ['softmax', true],
    ] as const) {
      // The dense layer's input gradient is the backward pass's only BatchMatMul.
      expect((await explainKernels(tinyCnn(variant, weights), 'grad-cam', x)).includes('BatchMatMul'), variant).toBe(backward);
    }
    x.dispose();
  });

  it('computes no scores for a gradient CAM through a linear tail given its target; the predicted class needs them', async () => {
    const x = tf.randomUniform<tf.Rank.R4>([1, 8, 8, 3], 0, 1, 'float32', 11);
    const model = tinyCnn('sequential', weights);
    // The scores are the Dense layer's fused matMul of the pooled activation.
    expect((await explainKernels(model, 'grad-cam', x, 1)).includes('_FusedMatMul')).toBe(false);
    expect((await explainKernels(model, 'grad-cam', x, 'predicted')).includes('_FusedMatMul')).toBe(true);
    x.dispose();
  });

  it('takes the predicted classes once: the argmax the closed-form gradient used is the one read back', async () => {
    const x = tf.randomUniform<tf.Rank.R4>([2, 8, 8, 3], 0, 1, 'float32', 14);
    const model = tinyCnn('sequential', weights);
    const kernels = await explainKernels(model, 'grad-cam', x, 'predicted');
    expect(kernels.filter((k) => k === 'ArgMax')).toEqual(['ArgMax']);
    const result = await explain(model, x, { method: 'grad-cam', layer: 'conv2' });
    const predicted = tf.tidy(() => tf.argMax(model.predict(x) as tf.Tensor2D, 1));
    expect(result.target).toEqual(Array.from(await predicted.data()));
    tf.dispose([predicted, x]);
    disposeResult(result);
  });

  it('reads back once for one image (map peaks + input check; the general path also reads its ablation values), and a NaN input still throws', async () => {
    const model = tinyCnn('sequential', weights);
    const x = tf.randomUniform([1, 8, 8, 3], 0, 1, 'float32', 7);
    const readbacks: Record<string, number> = {};
    for (const [name, explained] of [
      ['pooled', model],
      ['general', withGeneralTail(model)],
    ] as const) {
      const options = { method: 'ablation-cam', layer: 'conv2', target: 1, batchSize: 4 } as const;
      disposeResult(await explain(explained, x, options)); // warm-up
      const { result, readbacks: count } = await countReadbacks(() => explain(explained, x, options));
      disposeResult(result);
      readbacks[name] = count;
      const before = tf.memory().numTensors;
      const nan = tf.fill([1, 8, 8, 3], NaN);
      await expect(explain(explained, nan, options), name).rejects.toThrow(InvalidInputError);
      nan.dispose();
      expect(tf.memory().numTensors, name).toBe(before);
    }
    expect(readbacks).toEqual({ pooled: 1, general: 2 });
    x.dispose();
  });

  it('leaks no tensor or GPU buffer, with a softmax Dense too', async () => {
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 6);
    for (const variant of ['sequential', 'softmax'] as const) {
      const explainer = createExplainer(tinyCnn(variant, weights), { method: 'ablation-cam', batchSize: 4 });
      disposeResult(await explainer.explain(x));
      const tensors = tf.memory().numTensors;
      const buffers = tfjsUsedBufferCount();
      disposeResult(await explainer.explain(x));
      expect(tf.memory().numTensors, variant).toBe(tensors);
      expect(tfjsUsedBufferCount(), variant).toBe(buffers);
      explainer.dispose();
    }
    x.dispose();
  });
});
