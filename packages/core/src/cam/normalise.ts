// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';

/**
 * pytorch-grad-cam's aggregate_multi_layers for `[layers][n, h, w]` maps: ReLU, mean over layers,
 * then per image (x - min) / (1e-7 + max(x - min)). Disposes nothing.
 */
export function averageLayers(maps: readonly tf.Tensor3D[]): tf.Tensor3D {
  return tf.tidy(() => {
    const mean = tf.relu(tf.div(tf.addN(maps as tf.Tensor3D[]), maps.length)) as tf.Tensor3D;
    const shifted = tf.sub(mean, tf.min(mean, [1, 2], true));
    return tf.div<tf.Tensor3D>(shifted, tf.add(tf.max(shifted, [1, 2], true), 1e-7));
  });
}
