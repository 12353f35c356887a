// SPDX-License-Identifier: Apache-2.0
// Deletion / insertion of a tfjs model on the GPU path: every batch of an image recorded, its scores
// read once (the original scores with the first image's), the curves those of batch-by-batch reads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { countReadbacks } from '@webxai/testing';
import { disposeWeights, tinyCnn, tinyCnnWeights, type TinyCnnWeights } from '@webxai/testing/models';
import { ModelError } from '@webxai/shaders';
import { tfjsUsedBufferCount } from '../../interop/tfjs-webgpu.js';
import { evaluate } from '../evaluate.js';
import { targetValue } from '../shared/curve.js';
import { descendingOrder } from '../shared/order.js';
import { RankedImageWriter } from './ranked-images.js';

const [H, W, C] = [10, 10, 3];

/**
 * The deletion curve (logits, zero fill) of image `i` with each batch's images written on the host
 * (RankedImageWriter: the GPU masks' values) and its scores read before the next batch is run.
 */
async function batchByBatch(
  model: tf.LayersModel,
  x: tf.Tensor4D,
  map: Float32Array,
  i: number,
  steps: number,
  batch: number,
  target: number,
) {
  const image = ((await x.data()) as Float32Array).slice(i * H * W * C, (i + 1) * H * W * C);
  const writer = new RankedImageWriter('deletion', image, new Float32Array(image.length), descendingOrder(map), steps, 1, C);
  const original = tf.tidy(() => model.predict(tf.slice(x, i, 1)) as tf.Tensor2D);
  const curve = [(await original.data())[target]!];
  original.dispose();
  for (let first = 0; first < steps; first += batch) {
    const count = Math.min(batch, steps - first);
    const values = new Float32Array(count * H * W * C);
    writer.write(values, first, count, 'nhwc');
    const scores = tf.tidy(() => model.predict(tf.tensor4d(values, [count, H, W, C])) as tf.Tensor2D);
    const read = (await scores.data()) as Float32Array;
    scores.dispose();
    for (let b = 0; b < count; b++) curve.push(targetValue(read, scores.shape[1], b, target, false));
  }
  return curve;
}

describe('deletion and insertion with recorded batches', () => {
  let weights: TinyCnnWeights;
  beforeAll(async () => {
    await tf.setBackend('webgpu');
    weights = tinyCnnWeights({ height: H, width: W, channels: C, filters: 6, classes: 4, seed: 23 });
  });
  afterAll(() => disposeWeights(weights));

  it('read back the scores once per image, and give the curves of batch-by-batch reads bit for bit', async () => {
    const model = tinyCnn('functional', weights);
    // Host-made tensors: tfjs keeps their values, so reading them costs no readback.
    const x = tf.tensor4d(
      Array.from({ length: 2 * H * W * C }, (_, k) => Math.sin(k * 0.37) * 2),
      [2, H, W, C],
    );
    const maps = Array.from({ length: 2 * H * W }, (_, k) => Math.cos(k * 0.91));
    const attribution = tf.tensor3d(maps, [2, H, W]);
    const [steps, batchSize, target] = [20, 6, 1];
    for (const metric of ['deletion', 'insertion'] as const) {
      const { result, readbacks } = await countReadbacks(() =>
        evaluate(model, x, attribution, { metric, steps, batchSize, target, output: 'logit' }),
      );
      // The input's values with its check (the attribution's readback; the image values come from
      // them), and each image's scores; batch by batch it was 1 + 1 (the original scores) + 2 x (1 +
      // 4 batches) = 12, and 1 + 2 + 2 while each image's values were a slice read back (imageAt).
      expect(readbacks, metric).toBe(1 + 2);
      if (metric === 'insertion') continue;
      for (const i of [0, 1]) {
        const want = await batchByBatch(model, x, Float32Array.from(maps.slice(i * H * W, (i + 1) * H * W)), i, steps, batchSize, target);
        expect(Array.from(result.curves![i]!), `image ${i}`).toEqual(want);
      }
    }
    tf.dispose([x, attribution]);
  });

  it('report NaN scores as the model error and leak nothing, also when the error comes after recorded batches', async () => {
    const model = tinyCnn('functional', weights);
    const x = tf.randomUniform<tf.Rank.R4>([2, H, W, C], 0, 1, 'float32', 3);
    const attribution = tf.randomNormal<tf.Rank.R4>([2, H, W, C], 0, 1, 'float32', 4);
    await evaluate(model, x, attribution, { metric: 'deletion', steps: 9, batchSize: 4 }); // the model's first call
    const tensors = tf.memory().numTensors;
    const buffers = tfjsUsedBufferCount();
    // NaN from the third image the model sees: the original scores are finite, a batch is not.
    let calls = 0;
    const lateNaN = (v: tf.Tensor4D) => (calls++ < 2 ? tf.clone(v) : tf.mul<tf.Tensor4D>(v, NaN));
    for (const preprocess of [(v: tf.Tensor4D) => tf.mul<tf.Tensor4D>(v, NaN), lateNaN]) {
      await expect(evaluate(model, x, attribution, { metric: 'insertion', steps: 9, batchSize: 4, preprocess })).rejects.toThrow(
        new ModelError('the layers model returned NaN or Inf scores'),
      );
    }
    expect(calls).toBeGreaterThan(2);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tfjsUsedBufferCount()).toBe(buffers);
    tf.dispose([x, attribution]);
  });
});
