// SPDX-License-Identifier: Apache-2.0
// Ablation-CAM (Desai & Ramaswamy, WACV 2020) as pytorch-grad-cam's ablation_cam.py: the relative
// drop of the target score when one channel of the layer is ablated, (score - ablated) / score.
// Only the tail runs per batch (the split model's head output is reused), which is why a late
// layer makes it cheap. Ablation sets the channel to 0 when the image's activation minimum is 0
// (ReLU outputs), otherwise to that minimum - 1e7, as pytorch-grad-cam's AblationLayer.
import * as tf from '@tensorflow/tfjs';
import type { CamWeights } from './gradient-weights.js';
import type { LayerPass } from './pipeline.js';
import { checkpoint } from '../api/abort.js';

const ABLATION_OFFSET = 1e7;

/** Ablation-CAM channel weights `[n, k]` for one layer pass. */
export async function ablationCamWeights(pass: LayerPass): Promise<CamWeights> {
  const { activation, context, scores, targets, split, batchSize, call } = pass;
  const [n, h, w, channels] = activation.shape;
  const minima = tf.min(activation, [1, 2, 3]);
  const lows = await minima.data();
  minima.dispose();
  const classes = scores.shape[1];
  const original = tf.tidy(() =>
    tf.gather(
      tf.reshape(scores, [-1]),
      tf.tensor1d(
        targets.map((t, i) => i * classes + t),
        'int32',
      ),
    ),
  );
  const rows: tf.Tensor1D[] = [];
  const batches = n * Math.ceil(channels / batchSize);
  try {
    for (let image = 0; image < n; image++) {
      const value = lows[image] === 0 ? 0 : lows[image]! - ABLATION_OFFSET;
      for (let start = 0; start < channels; start += batchSize) {
        await checkpoint(call.signal, 'ablation-cam');
        const count = Math.min(batchSize, channels - start);
        rows.push(
          tf.tidy(() => {
            const one = tf.slice(activation, [image, 0, 0, 0], [1, h, w, channels]);
            const ablate = tf.reshape(tf.oneHot(tf.range(start, start + count, 1, 'int32'), channels), [count, 1, 1, channels]);
            const ablated = tf.add(tf.mul(one, tf.sub(1, ablate)), tf.mul(ablate, value)) as tf.Tensor4D;
            const ctx = new Map(
              [...context].map(([key, t]) => [key, tf.tile(tf.slice(t, image, 1), [count, ...t.shape.slice(1).map(() => 1)])] as const),
            );
            const s = split.tail(ctx, ablated);
            return tf.reshape(tf.slice(s, [0, targets[image]!], [count, 1]), [count]) as tf.Tensor1D;
          }),
        );
        call.onProgress?.({ done: rows.length, total: batches });
      }
    }
    return {
      weights: tf.tidy(() => {
        const ablated = tf.reshape(tf.concat(rows), [n, channels]);
        const base = tf.expandDims(original, 1);
        return tf.div(tf.sub(base, ablated), base);
      }),
      weighting: 'channel',
    };
  } finally {
    tf.dispose([...rows, original]);
  }
}
