// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import type { ExecutionPath } from '../../api/types.js';
import { uniformTensor } from '../../interop/uniform-tensor.js';
import { createBlurrer } from '../shared/blur.js';

/** Each image blurred with a Gaussian of `sigma` pixels (zero padding, as scipy's mode 'constant'): [n, h, w, c]. */
export async function blurBaseline(input: tf.Tensor4D, sigma: number, path: ExecutionPath): Promise<tf.Tensor4D> {
  const n = input.shape[0];
  const blurrer = createBlurrer({ sourceRows: Array.from({ length: n }, (_, i) => i), sigmas: new Array<number>(n).fill(sigma) }, path);
  try {
    return await blurrer.blur(input, 0, n);
  } finally {
    blurrer.dispose();
  }
}

/**
 * Uniform noise in each image's [min, max], from the seeded RNG's uniform stream (the same values
 * on both paths: `randomUniform` on the GPU, `uniformRef` on the CPU): [n, h, w, c].
 */
export async function uniformNoiseBaseline(input: tf.Tensor4D, seed: number, path: ExecutionPath): Promise<tf.Tensor4D> {
  const unit = await uniformTensor(input.shape, seed, 0, path);
  const result = tf.tidy(() => {
    const low = tf.min(input, [1, 2, 3], true);
    const high = tf.max(input, [1, 2, 3], true);
    return tf.add<tf.Tensor4D>(low, tf.mul(unit, tf.sub(high, low)));
  });
  unit.dispose();
  return result;
}
