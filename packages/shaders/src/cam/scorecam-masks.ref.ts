// SPDX-License-Identifier: Apache-2.0
import { ShapeMismatchError } from '../runtime/errors.js';
import { checkScorecamAct, upsampledChannel, type ScorecamShape } from './scorecam-range.ref.js';

/**
 * CPU reference for scorecam-masks.wgsl: `[count, outHeight, outWidth, imageChannels]`, the image n
 * times each normalised upsampled channel k0 .. k0 + count - 1. Also the explicit CPU path.
 */
export function scorecamMasksRef(
  images: ArrayLike<number>,
  act: ArrayLike<number>,
  ranges: ArrayLike<number>,
  shape: ScorecamShape & { readonly imageChannels: number },
  image: number,
  channelStart: number,
  count: number,
): Float32Array<ArrayBuffer> {
  checkScorecamAct(act, shape, 'scorecamMasksRef');
  const { outHeight, outWidth, imageChannels: C, channels: K } = shape;
  const pixels = outHeight * outWidth;
  if (images.length < shape.images * pixels * C)
    throw new ShapeMismatchError(`scorecamMasksRef: images has ${images.length} values, need ${shape.images * pixels * C}`);
  const out = new Float32Array(count * pixels * C);
  for (let b = 0; b < count; b++) {
    const k = channelStart + b;
    const up = upsampledChannel(act, shape, image, k);
    const lo = ranges[(image * K + k) * 2]!;
    const hi = ranges[(image * K + k) * 2 + 1]!;
    for (let q = 0; q < pixels; q++) {
      const mask = (up[q]! - lo) / (hi - lo + 1e-8);
      for (let c = 0; c < C; c++) out[(b * pixels + q) * C + c] = images[(image * pixels + q) * C + c]! * mask;
    }
  }
  return out;
}
