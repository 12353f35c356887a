// SPDX-License-Identifier: Apache-2.0
// The bare side of a browser row: the model passes a method cannot avoid, run with plain tfjs.
import * as tf from '@tensorflow/tfjs';
import { adaptModel, targetGradients } from '@webxai/core';
import { callSizes, type BarePasses } from '../src/browser-cases.js';

/**
 * The model's scores of `batch` in one call, as webxai's methods run theirs: tfjs's predict cuts a
 * batch into calls of 32 images by default (a 64-image call became two, plus a slice and a concat).
 */
function wholeBatch(model: tf.LayersModel, batch: tf.Tensor4D): tf.Tensor {
  return model.predict(batch, { batchSize: batch.shape[0] }) as tf.Tensor;
}

/** The bare passes: `images` through the model in batches, scores (or gradients) read back once. */
export async function barePasses(model: tf.LayersModel, image: tf.Tensor4D, target: number, passes: BarePasses): Promise<void> {
  const adapter = adaptModel(model);
  const outputs: tf.Tensor[] = [];
  let first = 0;
  for (const count of callSizes(passes)) {
    const scale = tf.scalar(1 - first / passes.images / 2);
    const batch = tf.tidy(() => tf.tile(image, [count, 1, 1, 1]).mul(scale)) as tf.Tensor4D;
    outputs.push(passes.kind === 'forward' ? wholeBatch(model, batch) : targetGradients(adapter, batch, [target]));
    tf.dispose([batch, scale]);
    first += count;
  }
  if (passes.extraForward) {
    const ends = tf.tile(image, [passes.extraForward, 1, 1, 1]);
    outputs.push(wholeBatch(model, ends));
    ends.dispose();
  }
  const sums = tf.tidy(() => tf.addN(outputs.map((o) => tf.sum(o))));
  await sums.data();
  tf.dispose([...outputs, sums]);
}
