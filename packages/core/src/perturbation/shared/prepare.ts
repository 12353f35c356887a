// SPDX-License-Identifier: Apache-2.0
import type * as tf from '@tensorflow/tfjs';
import type { SegmentOptions } from '../../segment/segment.js';
import { imageAt } from './evaluate.js';
import { builtinSegments, fillImage, userSegments, type FeatureMap, type FillOption, type SegmentsInput } from './features.js';

/** One image ready for superpixel perturbation. The caller disposes `tensor`. */
export interface PreparedImage {
  readonly tensor: tf.Tensor4D;
  readonly values: Float32Array;
  readonly map: FeatureMap;
  readonly fill: Float32Array<ArrayBuffer>;
}

/**
 * Resolves features (user segments or the built-in segmentation) and the fill for every image of a
 * batch. `hostValues`: the batch's NHWC values when the caller has read them already (a black box's
 * explanation), so no image is read back again.
 */
export async function featureSource(
  method: string,
  input: tf.Tensor4D,
  segments: SegmentsInput | undefined,
  segmentation: SegmentOptions,
  fill: FillOption,
  signal: AbortSignal | undefined,
  hostValues?: Float32Array,
): Promise<(i: number) => Promise<PreparedImage>> {
  const [n, height, width, channels] = input.shape;
  const user = segments === undefined ? undefined : await userSegments(method, segments, n, height, width);
  return async (i) => {
    const { tensor, values } = await imageAt(input, i, hostValues);
    try {
      const map = user ? user(i) : await builtinSegments(tensor, segmentation, signal, values);
      return { tensor, values, map, fill: fillImage(fill, values, map, height, width, channels) };
    } catch (error) {
      tensor.dispose();
      throw error;
    }
  };
}
