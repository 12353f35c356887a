// SPDX-License-Identifier: Apache-2.0
// Test-time augmentation as pytorch-grad-cam's aug_smooth (ttach: HorizontalFlip x Multiply
// [0.9, 1, 1.1]). Augmented copies are stacked into one batch, block by block.
import * as tf from '@tensorflow/tfjs';

/** The six augmentations, in ttach's product order. */
export const AUGMENTATIONS: readonly { readonly flip: boolean; readonly factor: number }[] = [false, true].flatMap((flip) =>
  [0.9, 1, 1.1].map((factor) => ({ flip, factor })),
);

/** The block of each image's unchanged copy (no flip, factor 1: the input's values exactly). */
const UNCHANGED_BLOCK = AUGMENTATIONS.findIndex(({ flip, factor }) => !flip && factor === 1);

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

/**
 * The class of every row of an augmented batch's scores `[6n, classes]`: each image's argmax on its
 * unchanged copy (its own scores), repeated in every block, int32 `[6n]` on the scores' backend. Every
 * copy of an image explains the image's class, found in the same pass (no forward of the input
 * alone). pytorch-grad-cam's aug_smooth takes each copy's own argmax instead; they differ only where
 * a flip or a brightness factor changes the model's top class.
 */
export function augmentedClasses(scores: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const images = scores.shape[0] / AUGMENTATIONS.length;
    const unchanged = tf.slice(scores, [UNCHANGED_BLOCK * images, 0], [images, -1]);
    return tf.tile(tf.argMax<tf.Tensor1D>(unchanged, 1), [AUGMENTATIONS.length]);
  });
}

/** One class per row of an augmented batch from one class per image (each block repeats them). */
export function augmentedRows(targets: readonly number[]): number[] {
  return AUGMENTATIONS.flatMap(() => targets);
}
