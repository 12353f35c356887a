// SPDX-License-Identifier: Apache-2.0
// Guided Grad-CAM's one readback: guided backprop's pass is read with Grad-CAM's map peaks, and the
// result is the serial composition's (guided backprop read first, then Grad-CAM) bit for bit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { countReadbacks } from '@webxai/testing';
import { disposeWeights, tinyCnn, tinyCnnWeights, type TinyCnnWeights } from '@webxai/testing/models';
import { ModelError } from '@webxai/shaders';
import { disposeResult } from '../../api/dispose-result.js';
import { explain } from '../../api/explain.js';
import { tfjsUsedBufferCount } from '../../interop/tfjs-webgpu.js';

const values = async (t: tf.Tensor) => Array.from(await t.data());

/** Guided backprop x Grad-CAM as two methods, each read back before the other runs, with the same product op. */
async function serialComposition(model: tf.LayersModel, x: tf.Tensor4D, target: number[], preprocess?: (v: tf.Tensor4D) => tf.Tensor4D) {
  const common = { target, ...(preprocess && { preprocess }) };
  const gb = await explain(model, x, { method: 'guided-backprop', ...common });
  const cam = await explain(model, x, { method: 'grad-cam', layer: 'conv2', ...common });
  const product = tf.tidy(() => tf.mul(gb.attribution, tf.expandDims(cam.attribution, 3)));
  const want = { attribution: await values(product), cam: await values(cam.attribution) };
  [gb, cam].forEach(disposeResult);
  product.dispose();
  return want;
}

describe('guided Grad-CAM in one readback', () => {
  let weights: TinyCnnWeights;
  beforeAll(async () => {
    await tf.setBackend('webgpu');
    weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, filters: 6, classes: 4, seed: 17 });
  });
  afterAll(() => disposeWeights(weights));

  it('reads back once, the attribution included, for a given and the predicted target, and equals the serial composition bit for bit', async () => {
    const model = tinyCnn('functional', weights);
    const x = tf.randomUniform<tf.Rank.R4>([3, 8, 8, 3], 0, 1, 'float32', 8);
    const predicted = Array.from(await tf.tidy(() => tf.argMax(model.predict(x) as tf.Tensor, 1)).data());
    for (const target of [[1, 3, 0], undefined]) {
      const { result: r, readbacks } = await countReadbacks(async () => {
        const result = await explain(model, x, { method: 'guided-grad-cam', layer: 'conv2', ...(target && { target }) });
        await result.attribution.data(); // its host copy came with the peaks
        return result;
      });
      expect(readbacks, String(target)).toBe(1);
      expect(r.target).toEqual(target ?? predicted);
      const want = await serialComposition(model, x, r.target);
      expect(await values(r.attribution)).toEqual(want.attribution);
      expect(await values(r.cam)).toEqual(want.cam);
      disposeResult(r);
    }
    x.dispose();
  });

  it("runs Grad-CAM again when its pass chose other classes than guided backprop's: the serial result", async () => {
    const model = tinyCnn('functional', weights);
    const x = tf.randomNormal<tf.Rank.R4>([4, 8, 8, 3], 0, 2, 'float32', 31);
    // Guided backprop's pass (the first call) sees the image, Grad-CAM's passes see it negated.
    const negatedAfterFirst = () => {
      let calls = 0;
      return (v: tf.Tensor4D) => (calls++ === 0 ? tf.clone(v) : tf.neg(v));
    };
    const negated = (v: tf.Tensor4D) => tf.neg(v);
    const classesOf = (input: tf.Tensor4D) => tf.tidy(() => tf.argMax(model.predict(input) as tf.Tensor, 1)).data();
    const own = Array.from(await classesOf(x));
    const negative = tf.neg(x);
    // The case needs classes that differ, else the rerun is not exercised.
    expect(Array.from(await classesOf(negative))).not.toEqual(own);
    negative.dispose();
    const tensors = tf.memory().numTensors;
    const buffers = tfjsUsedBufferCount();
    const r = await explain(model, x, { method: 'guided-grad-cam', layer: 'conv2', preprocess: negatedAfterFirst() });
    expect(r.target).toEqual(own);
    const gb = await explain(model, x, { method: 'guided-backprop', target: own });
    const cam = await explain(model, x, { method: 'grad-cam', layer: 'conv2', target: own, preprocess: negated });
    const product = tf.tidy(() => tf.mul(gb.attribution, tf.expandDims(cam.attribution, 3)));
    expect(await values(r.attribution)).toEqual(await values(product));
    expect(await values(r.cam)).toEqual(await values(cam.attribution));
    [r, gb, cam].forEach(disposeResult);
    product.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tfjsUsedBufferCount()).toBe(buffers);
    x.dispose();
  });

  it("NaN scores get guided backprop's ModelError (its check comes first, as its own readback did), and nothing leaks", async () => {
    const model = tinyCnn('functional', weights);
    const x = tf.randomUniform<tf.Rank.R4>([2, 8, 8, 3], 0, 1, 'float32', 9);
    const nan = (v: tf.Tensor4D) => tf.mul<tf.Tensor4D>(v, NaN);
    await expect(explain(model, x, { method: 'guided-grad-cam', preprocess: nan })).rejects.toThrow(ModelError); // the model's first call
    const tensors = tf.memory().numTensors;
    const buffers = tfjsUsedBufferCount();
    for (const target of [undefined, 1, 4]) {
      const failing = explain(model, x, { method: 'guided-grad-cam', preprocess: nan, ...(target !== undefined && { target }) });
      await expect(failing, String(target)).rejects.toThrow(ModelError);
      await expect(explain(model, x, { method: 'guided-grad-cam', preprocess: nan })).rejects.toThrow(
        /^the layers model returned NaN or Inf scores/,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 0)); // the pipeline's flush after a failure
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tfjsUsedBufferCount()).toBe(buffers);
    x.dispose();
  });
});
