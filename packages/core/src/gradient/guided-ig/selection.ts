// SPDX-License-Identifier: Apache-2.0
// Guided IG's feature selection with an explicit, backend-independent tie rule, as tfjs ops: PAIR's
// host loop (host-loop.ts) on every backend. The guided-ig-step kernel computes the same keys
// (guided-ig-keys.wgsl) inside its loop.
import * as tf from '@tensorflow/tfjs';
import { GUIDED_IG_KEY_BITS as KEY_BITS } from '@webxai/shaders';

/**
 * |gradient| is compared on a grid of 2^-GUIDED_IG_KEY_BITS of each image's largest finite
 * |gradient|. The webgpu and cpu backends compute gradients that differ by ~1e-7..1e-6 of that
 * maximum (f32 rounding in a different order); compared exactly, two features closer than that
 * swap order between backends and the adaptive path diverges. On the grid (6.1e-5 of the maximum)
 * such features share a key (|g| / cell rounded to the nearest integer, so the largest value and
 * its near-ties share the top key), and PAIR's rule (select every feature whose key is <= the
 * quantile's) moves them together on both backends. A flip now needs a value within f32 noise of
 * a half-cell boundary.
 */
export const GUIDED_IG_KEY_BITS = KEY_BITS;

/**
 * The features Guided IG moves next, per row of `gradient` [n, size]: those whose quantised
 * |gradient| key is at most the `kth` smallest key (numpy quantile, interpolation 'lower'),
 * among features not yet at `xMax`. Ties (equal keys) are all selected, as PAIR selects equal
 * values, so the choice never depends on element order. Returns a 1 / 0 float32 [n, size] mask.
 *
 * @example
 * selectSmallestGradients(tf.tensor2d([[3, 1, 1, 2]]), x, xMax, 1); // [[0, 1, 1, 0]]
 */
export function selectSmallestGradients(gradient: tf.Tensor2D, x: tf.Tensor2D, xMax: tf.Tensor2D, kth: number): tf.Tensor2D {
  return tf.tidy(() => {
    const done = tf.equal(x, xMax);
    const magnitude = tf.abs(gradient);
    const scale = tf.max(tf.where(done, tf.zerosLike(magnitude), magnitude), 1, true);
    const cell = tf.mul(tf.where(tf.greater(scale, 0), scale, tf.onesLike(scale)), 2 ** -GUIDED_IG_KEY_BITS);
    const key = tf.where(done, tf.fill(gradient.shape, Number.POSITIVE_INFINITY), tf.round(tf.div(magnitude, cell)));
    // The (kth + 1)-th smallest key is the largest of the kth + 1 smallest: a min over topk's values,
    // which does not depend on their order (topk's unsorted order differs between backends).
    const threshold = tf.neg(tf.min(tf.topk(tf.neg(key), kth + 1, false).values, 1, true));
    return tf.cast(tf.logicalAnd(tf.lessEqual(key, threshold), tf.logicalNot(done)), 'float32') as tf.Tensor2D;
  });
}
