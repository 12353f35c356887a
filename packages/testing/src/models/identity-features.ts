// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';

/**
 * A model whose CAM is hand-computable: input [h, w, k] -> 'features' (1x1 conv with the identity
 * kernel and ReLU, so the activation IS the input clipped at 0) -> 'gap' (global average pool) ->
 * 'logits' (dense with kernel W = `kernel` [k][classes], no bias). Then d score_c / d A[p, k] =
 * W[k][c] / (h w) at every position.
 */
export function identityFeatureModel(height: number, width: number, kernel: number[][]): tf.LayersModel {
  const k = kernel.length;
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ name: 'features', inputShape: [height, width, k], filters: k, kernelSize: 1, activation: 'relu', useBias: false }),
      tf.layers.globalAveragePooling2d({ name: 'gap' }),
      tf.layers.dense({ name: 'logits', units: kernel[0]!.length, useBias: false }),
    ],
  });
  const eye = tf.reshape(tf.eye(k), [1, 1, k, k]);
  const W = tf.tensor2d(kernel);
  model.getLayer('features').setWeights([eye]);
  model.getLayer('logits').setWeights([W]);
  tf.dispose([eye, W]);
  return model;
}
