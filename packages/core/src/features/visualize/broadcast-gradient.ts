// SPDX-License-Identifier: Apache-2.0
// Sums and means whose gradient is dy broadcast back on the backend (tf.broadcastTo, a tile), not
// tfjs's: its Sum and Mean gradients multiply dy by ones(x.shape), made on the CPU, which on
// webgpu is an array filled in JS and a new mapped buffer of x's size every step. On Dawn +
// lavapipe that was 4-6 ms per 0.8 MB buffer at low load (the tv / l2 penalties: three per step)
// and 7-26 ms per 2 MB under load (the channel objective's mean of conv2, 4 x 128 x 128 x 8),
// in both cases on top of the 2 MB fill in JS (session 13). The values are tfjs's: dy, divided
// by the count for a mean, at every reduced position.
import * as tf from '@tensorflow/tfjs';

/** `reduce(x)` (over `axes`, dims dropped) with the gradient dy / divisor broadcast over `axes`. */
function withBroadcastGradient(x: tf.Tensor, axes: readonly number[], divisor: number, reduce: (x: tf.Tensor) => tf.Tensor): tf.Tensor {
  const shape = x.shape;
  const spreadShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const op = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: reduce(inputs[0] as tf.Tensor),
    gradFunc: (dy: tf.Tensor) => {
      const spread = tf.reshape(dy, spreadShape);
      return tf.broadcastTo(divisor === 1 ? spread : tf.div(spread, divisor), shape);
    },
  }));
  return op(x);
}

/** tf.mean(x, [1, 2]) of an NHWC activation [n, h, w, c] (other ranks: tf.mean as it is). */
export function spatialMean(activation: tf.Tensor): tf.Tensor2D {
  if (activation.rank !== 4) return tf.mean<tf.Tensor2D>(activation, [1, 2]);
  const [, h, w] = activation.shape as [number, number, number, number];
  return withBroadcastGradient(activation, [1, 2], h * w, (x) => tf.mean(x, [1, 2])) as tf.Tensor2D;
}

/** tf.sum(x) over all of x. */
export function sumAll(x: tf.Tensor): tf.Scalar {
  return withBroadcastGradient(x, [...x.shape.keys()], 1, (v) => tf.sum(v)) as tf.Scalar;
}
