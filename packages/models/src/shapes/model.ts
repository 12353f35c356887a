// SPDX-License-Identifier: Apache-2.0
import type * as tf from '@tensorflow/tfjs';
import { loadEmbeddedModel } from '../shared/embedded.js';
import {
  SHAPES_CNN_ACCURACY,
  SHAPES_CNN_SPLIT,
  SHAPES_CNN_TOPOLOGY,
  SHAPES_CNN_WEIGHT_SPECS,
  SHAPES_CNN_WEIGHTS_BASE64,
} from './shapes-cnn.generated.js';

/** Held-out accuracy of the shipped shapes CNN, measured by scripts/train-shapes.mjs. */
export const shapesCnnAccuracy: number = SHAPES_CNN_ACCURACY;

/**
 * Which images of the shapes data set the shipped CNN was trained on, and which it was scored on
 * (`shapesSet(seed, count, first)` of each). Take evaluation images from `heldOut`, never `train`.
 */
export const shapesCnnSplit: {
  readonly train: { readonly seed: number; readonly first: number; readonly count: number };
  readonly heldOut: { readonly seed: number; readonly first: number; readonly count: number };
} = SHAPES_CNN_SPLIT;

/**
 * The shipped shapes classifier: input [n, 64, 64, 3] RGB in [0, 1] (as `shapesBatch` makes),
 * output [n, 4] logits in SHAPES_LABELS order. Layers conv1 (stride 2) -> pool1 -> conv2 -> conv3
 * (16 x 16 x 32, the layer for Grad-CAM) -> gap -> logits. Weights are embedded; nothing is fetched.
 * A new model each call (the caller disposes it).
 *
 * @example
 * const model = await loadShapesCnn();
 * const { images, labels } = shapesBatch(shapesCnnSplit.heldOut.seed, 8);
 * tf.argMax(model.predict(images) as tf.Tensor, 1).arraySync(); // the labels, nearly always
 */
export async function loadShapesCnn(): Promise<tf.LayersModel> {
  return loadEmbeddedModel(SHAPES_CNN_TOPOLOGY, SHAPES_CNN_WEIGHT_SPECS, SHAPES_CNN_WEIGHTS_BASE64);
}
