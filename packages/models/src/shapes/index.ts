// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { SHAPES_SIZE, shapesSet } from './shapes.js';

export {
  SHAPES_BACKGROUND_SPREAD,
  SHAPES_COLOUR_GAP,
  SHAPES_EXTENT_RANGE,
  SHAPES_GRAIN,
  SHAPES_LABELS,
  SHAPES_MAX_IMAGES,
  SHAPES_SIZE,
  shapesSample,
  shapesSet,
  type ShapeName,
  type ShapesSample,
  type ShapesSet,
} from './shapes.js';
export type { ShapeBox } from './draw.js';

/**
 * Images `first .. first + count - 1` of the shapes data set `seed` as tensors (the caller disposes
 * them): images [n, 64, 64, 3] in [0, 1], ground-truth masks [n, 64, 64] (1 on the object, float32),
 * and the labels (indices into SHAPES_LABELS).
 *
 * @example
 * const { images, masks, labels } = shapesBatch(9, 8);
 * images.shape; // [8, 64, 64, 3]
 * masks.shape;  // [8, 64, 64]
 * labels;       // two of each class, e.g. [2, 0, 3, 1, 1, 3, 0, 2]
 */
export function shapesBatch(seed: number, count: number, first = 0): { images: tf.Tensor4D; masks: tf.Tensor3D; labels: number[] } {
  const set = shapesSet(seed, count, first);
  return {
    images: tf.tensor4d(set.images, [count, SHAPES_SIZE, SHAPES_SIZE, 3]),
    masks: tf.tensor3d(Float32Array.from(set.masks), [count, SHAPES_SIZE, SHAPES_SIZE]),
    labels: set.labels,
  };
}
