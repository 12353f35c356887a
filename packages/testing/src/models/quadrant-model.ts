// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';

/**
 * A model function with 4 classes whose predicted class depends on where an image is bright: class q
 * scores the squared mean of quadrant q (top left, top right, bottom left, bottom right). With
 * {@link cornerImages} each image predicts another class, so a test sees whether each image's rows
 * were seeded with its own class (the tiny CNNs predict one class for most inputs).
 */
export function quadrantModel(v: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const [top, bottom] = tf.split(v, 2, 1);
    const means = [top!, bottom!].flatMap((half) => tf.split(half, 2, 2).map((q) => tf.mean(q, [1, 2, 3])));
    return tf.square(tf.stack(means, 1) as tf.Tensor2D);
  });
}

/**
 * [2, 8, 8, 3] images for {@link quadrantModel}: image 0 bright top left (class 0), image 1 bright
 * bottom right (class 3), 0.05 elsewhere.
 */
export function cornerImages(): tf.Tensor4D {
  return tf.tidy(() => {
    const corner = (y: number, x: number) =>
      tf.pad(tf.ones([1, 4, 4, 3]), [
        [0, 0],
        [y, 4 - y],
        [x, 4 - x],
        [0, 0],
      ]);
    return tf
      .concat([corner(0, 0), corner(4, 4)])
      .mul(0.9)
      .add<tf.Tensor4D>(0.05);
  });
}
