// SPDX-License-Identifier: Apache-2.0
import { ShapeMismatchError } from '../runtime/errors.js';

/** Shape of an ablation batch: the activation is `[images, positions, channels]` (NHWC, positions = h * w). */
export interface AblationBatchShape {
  readonly images: number;
  readonly positions: number;
  readonly channels: number;
}

/**
 * CPU reference for ablation-batch.wgsl: `[count, positions, channels]`, `count` copies of image
 * `image`'s activation with channel `channelStart + b` of copy b set to `value`. Also the explicit CPU path.
 */
export function ablationBatchRef(
  act: ArrayLike<number>,
  shape: AblationBatchShape,
  image: number,
  channelStart: number,
  count: number,
  value: number,
): Float32Array<ArrayBuffer> {
  const { images, positions, channels } = shape;
  const perImage = positions * channels;
  if (act.length !== images * perImage)
    throw new ShapeMismatchError(`ablationBatchRef: act has ${act.length} values, need ${images} x ${positions} x ${channels}`);
  if (image >= images || channelStart + count > channels)
    throw new ShapeMismatchError(`ablationBatchRef: image ${image} / channels ${channelStart}..${channelStart + count - 1} out of range`);
  const out = new Float32Array(count * perImage);
  for (let b = 0; b < count; b++) {
    for (let p = 0; p < positions; p++) {
      for (let c = 0; c < channels; c++) {
        const at = p * channels + c;
        out[b * perImage + at] = c === channelStart + b ? value : act[image * perImage + at]!;
      }
    }
  }
  return out;
}
