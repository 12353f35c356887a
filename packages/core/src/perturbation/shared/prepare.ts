// SPDX-License-Identifier: Apache-2.0
import type * as tf from '@tensorflow/tfjs';
import type { SegmentOptions } from '../../segment/segment.js';
import { imageAt } from './evaluate.js';
import type { SegmentWorkspace } from './segment-workspace.js';
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

/**
 * Prepares the images of a batch one ahead: image 0 from construction (while the clean images'
 * scores are computed), image i + 1 once image i is taken (while it is explained). A GPU
 * segmentation then runs beside the model's forward passes; a black box's (onnxruntime-node's)
 * block the JS thread but not the GPU. Take the images in order; `dispose()` in a finally
 * releases a prepared image that was not taken.
 */
export class PreparedQueue {
  private next: Promise<PreparedImage> | undefined;
  private index = 0;

  constructor(
    private readonly prepare: (i: number) => Promise<PreparedImage>,
    private readonly count: number,
  ) {
    this.next = this.start(0);
  }

  /** The next image (0, 1, ...); the caller disposes its tensor. */
  async take(): Promise<PreparedImage> {
    const image = await this.next!;
    this.next = this.start(++this.index);
    return image;
  }

  /** Releases the image prepared ahead, if any (its errors too: the explanation failed already). */
  async dispose(): Promise<void> {
    const pending = this.next;
    this.next = undefined;
    await pending?.then(
      (image) => image.tensor.dispose(),
      () => undefined,
    );
  }

  private start(i: number): Promise<PreparedImage> | undefined {
    if (i >= this.count) return undefined;
    const image = this.prepare(i);
    // Handled now (a rejection is reported when the image is taken): no unhandled rejection while
    // the previous image is explained.
    image.catch(() => undefined);
    return image;
  }
}

/**
 * Runs `start` (e.g. the clean images' scores, while image 0 is prepared), then `explainImage` on
 * every image of `queue` in order; each image's tensor is disposed after it, and the queue in any
 * case. A SegmentWorkspace made by `explainImage` is released with the image.
 */
export async function explainPrepared<T>(
  queue: PreparedQueue,
  count: number,
  start: () => Promise<T>,
  explainImage: (image: PreparedImage, i: number, started: T, keep: (workspace: SegmentWorkspace) => SegmentWorkspace) => Promise<void>,
): Promise<T> {
  try {
    const started = await start();
    for (let i = 0; i < count; i++) {
      const image = await queue.take();
      let workspace: SegmentWorkspace | undefined;
      try {
        await explainImage(image, i, started, (w) => (workspace = w));
      } finally {
        workspace?.release();
        image.tensor.dispose();
      }
    }
    return started;
  } finally {
    await queue.dispose();
  }
}
