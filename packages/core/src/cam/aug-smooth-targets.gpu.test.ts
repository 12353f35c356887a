// SPDX-License-Identifier: Apache-2.0
// augSmooth with the predicted class: every augmented copy of an image explains the class of the
// image's unchanged copy, chosen on the GPU inside the augmented pass (no forward of the input alone)
// and read back with the result's peaks. The images below are picked so that a flipped or rescaled
// copy's own argmax is another class: a pass that took each copy's own argmax gives other maps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { disposeWeights, tinyCnn, tinyCnnWeights, type TinyCnnWeights } from '@webxai/testing/models';
import { liveBufferCount } from '@webxai/shaders';
import { countReadbacks } from '@webxai/testing';
import { disposeResult } from '../api/dispose-result.js';
import { explain } from '../api/explain.js';
import { flushTfjs, tfjsDevice, tfjsUsedBufferCount } from '../interop/tfjs-webgpu.js';

const memory = () => {
  flushTfjs();
  return { tensors: tf.memory().numTensors, tfjsBuffers: tfjsUsedBufferCount(), ours: liveBufferCount(tfjsDevice()) };
};

const bitsOf = async (t: tf.Tensor) => Array.from(new Uint32Array(((await t.data()) as Float32Array).buffer));

/** Each copy's own argmax, `[copy][image]`, in augSmooth's order (flip false / true x factor 0.9, 1, 1.1), written out here. */
async function copyClasses(model: tf.LayersModel, x: tf.Tensor4D): Promise<number[][]> {
  const copies = [false, true].flatMap((flip) => [0.9, 1, 1.1].map((factor) => ({ flip, factor })));
  const argmaxes = copies.map(({ flip, factor }) =>
    tf.tidy(() => tf.argMax(model.predict(tf.mul(flip ? tf.reverse(x, 2) : x, factor)) as tf.Tensor, 1)),
  );
  const classes = await Promise.all(argmaxes.map(async (a) => Array.from(await a.data())));
  tf.dispose(argmaxes);
  return classes;
}

/**
 * Two seeded images: the first with a flipped copy whose own argmax differs from its unchanged
 * copy's, the second with a 0.9-scaled copy that does (the first block of the batch: what a pass
 * reading the batch's first rows as the images' classes would report).
 */
async function pickImages(model: tf.LayersModel): Promise<tf.Tensor4D> {
  const found: tf.Tensor4D[] = [];
  const wanted = [(c: number[]) => c[3] !== c[1] || c[4] !== c[1] || c[5] !== c[1], (c: number[]) => c[0] !== c[1]];
  for (let seed = 1; seed < 400 && found.length < wanted.length; seed++) {
    const x = tf.randomUniform<tf.Rank.R4>([1, 8, 8, 3], -1, 1, 'float32', seed);
    if (wanted[found.length]!((await copyClasses(model, x)).map((c) => c[0]!))) found.push(x);
    else x.dispose();
  }
  expect(found).toHaveLength(wanted.length);
  const batch = tf.concat(found);
  tf.dispose(found);
  return batch;
}

describe("augSmooth explains the unchanged image's class (webgpu)", () => {
  let weights: TinyCnnWeights;
  const models: Record<string, tf.LayersModel> = {};
  beforeAll(async () => {
    await tf.setBackend('webgpu');
    // Seed 7: the class of 1 in 4 random images changes under a flip (seeds 95, 31, 11: none in 200).
    weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, filters: 6, classes: 4, seed: 7 });
    for (const variant of ['sequential', 'softmax', 'functional'] as const) models[variant] = tinyCnn(variant, weights);
  });
  afterAll(() => disposeWeights(weights));

  // [model, options, readbacks for 'predicted', readbacks for the given classes]
  const cases = [
    // GAP + Dense tail: the closed-form gradient, classes chosen with the scores (pooledDenseEvidence).
    ['sequential', { method: 'grad-cam' }, 1, 1],
    // A softmax tail: tf.grad through it (forwardBackward), seeded by the chosen classes' mask.
    ['softmax', { method: 'grad-cam++' }, 1, 1],
    // Two layers from one tapped pass (forwardBackwardMany).
    ['functional', { method: 'layer-cam', layer: ['conv1', 'skip_add'] }, 1, 1],
    ['softmax', { method: 'grad-cam', eigenSmooth: true }, 1, 1],
    // Needs no classes: they ride with the peaks (was 2: the argmax read before the maps).
    ['sequential', { method: 'eigen-cam' }, 1, 1],
    // Its weights need the classes on the host: the pass's choice is read first (with the input check).
    ['softmax', { method: 'score-cam', batchSize: 4 }, 2, 2],
    // The pooled shortcut (GAP + Dense, softmax or not) takes the chosen classes on the GPU, one per row.
    ['softmax', { method: 'ablation-cam' }, 1, 1],
    // The general path runs its tail (conv2 onwards) on ablated batches and slices the classes' scores
    // on the host: the chosen classes come back with the activation's minima (the ablation value),
    // then the result's peaks.
    ['sequential', { method: 'ablation-cam', layer: 'conv1', batchSize: 3 }, 2, 2],
  ] as const;

  it.for(cases)(
    "%s %o: the unchanged copies' classes, the given classes' bits; readbacks %i / %i",
    async ([variant, options, reads, givenReads]) => {
      const model = models[variant]!;
      const x = await pickImages(model);
      const unchanged = (await copyClasses(model, x))[1]!;
      const run = (target: number[] | 'predicted') =>
        countReadbacks(() => explain(model, x, { ...options, augSmooth: true, target } as never));
      disposeResult((await run('predicted')).result); // warm-up: compiled pipelines, pooled buffers
      const predicted = await run('predicted');
      const given = await run(unchanged);
      try {
        expect(predicted.result.target).toEqual(unchanged);
        expect(await bitsOf(predicted.result.attribution)).toEqual(await bitsOf(given.result.attribution));
        expect([predicted.readbacks, given.readbacks]).toEqual([reads, givenReads]);
      } finally {
        [predicted.result, given.result].forEach(disposeResult);
        x.dispose();
      }
    },
  );

  it.for(cases)('%s %o: no tensor or GPU buffer left after calls', async ([variant, options]) => {
    const model = models[variant]!;
    const x = await pickImages(model);
    disposeResult(await explain(model, x, { ...options, augSmooth: true } as never)); // warm-up
    const before = memory();
    for (const target of ['predicted', [0, 1], 2] as const)
      disposeResult(await explain(model, x, { ...options, augSmooth: true, target } as never));
    expect(memory()).toEqual(before);
    x.dispose();
  });

  it("the picked images show the choice: a flipped copy's own class gives the first image another map", async () => {
    const model = models.sequential!;
    const x = await pickImages(model);
    const classes = await copyClasses(model, x);
    const unchanged = classes[1]!;
    const other = classes
      .slice(3)
      .map((c) => c[0]!)
      .find((c) => c !== unchanged[0])!;
    const firstImage = async (target: number[]) => {
      const r = await explain(model, x, { method: 'grad-cam', augSmooth: true, target });
      const bits = await bitsOf(r.attribution);
      disposeResult(r);
      return bits.slice(0, 8 * 8);
    };
    expect(await firstImage(unchanged)).not.toEqual(await firstImage([other, unchanged[1]!]));
    x.dispose();
  });
});
