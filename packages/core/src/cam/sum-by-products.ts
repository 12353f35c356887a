// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';

/**
 * The sums of `x` (`[n, a, b]`) over its rows (`[n, 1, b]`) or its columns (`[n, a, 1]`) as batched
 * products with a vector of ones. On software adapters tfjs's matMul runs as webxai's barrier-free
 * direct matmul, while its Sum is a reduction with workgroup barriers: in Chromium (SwiftShader) the
 * three Sums and Means of an Eigen-CAM of an MNIST digit took 10-21 ms of its ~19 (session 29; since
 * session 31 Eigen-CAM's sums run inside its eigen-component kernel). Its user now is model-fault.ts's
 * nonFiniteMarks, a per-layer check of every CAM. The sums run in another order than tf.sum's, so they
 * may round differently (nonFiniteMarks only sums zeros and NaNs).
 */
export function sumByProducts(x: tf.Tensor3D, over: 'rows' | 'columns'): tf.Tensor3D {
  const [n, a, b] = x.shape;
  return over === 'rows' ? tf.matMul(tf.ones([n, 1, a]), x) : tf.matMul(x, tf.ones([n, b, 1]));
}
