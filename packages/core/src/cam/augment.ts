// SPDX-License-Identifier: Apache-2.0
// Test-time augmentation as pytorch-grad-cam's aug_smooth (ttach: HorizontalFlip x Multiply
// [0.9, 1, 1.1]). Augmented copies are stacked into one batch, block by block.
import * as tf from '@tensorflow/tfjs';

/** The six augmentations, in ttach's product order. */
export const AUGMENTATIONS: readonly { readonly flip: boolean; readonly factor: number }[] = [false, true].flatMap((flip) =>
  [0.9, 1, 1.1].map((factor) => ({ flip, factor })),
);

/** `[6n, h, w, c]`: block i holds every image under augmentation i. */
export function augmentBatch(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const flipped = tf.reverse(x, 2);
    return tf.concat(AUGMENTATIONS.map(({ flip, factor }) => tf.mul(flip ? flipped : x, factor))) as tf.Tensor4D;
  });
}

/** Undoes the flips of `[6n, h, w]` maps and averages the blocks: `[n, h, w]`. Disposes nothing. */
export function deaugmentMean(maps: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const blocks = tf.split(maps, AUGMENTATIONS.length, 0).map((b, i) => (AUGMENTATIONS[i]!.flip ? tf.reverse(b, 2) : b));
    return tf.div<tf.Tensor3D>(tf.addN(blocks), AUGMENTATIONS.length);
  });
}
