// SPDX-License-Identifier: Apache-2.0
import { magnitudeBinRef, signedMagnitudeRef, type SignMode } from './sign.ref.js';

/** Labels of {@link topkMaskRef}. */
export const MASK_OUTSIDE = 0;
export const MASK_INSIDE = 1;
export const MASK_CONTOUR = 2;

/** CPU reference for topk-mask.wgsl; also the 2D-canvas path of `<xai-heatmap>`. */
export function topkMaskRef(
  values: ArrayLike<number>,
  width: number,
  height: number,
  sign: SignMode,
  bins: number,
  binScale: number,
  thresholdBin: number,
): Uint32Array<ArrayBuffer> {
  const inside = new Uint8Array(width * height);
  for (let i = 0; i < width * height; i++) {
    inside[i] = magnitudeBinRef(signedMagnitudeRef(values[i]!, sign), binScale, bins) > thresholdBin ? 1 : 0;
  }
  const mask = new Uint32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!inside[i]) continue;
      const edge =
        (x > 0 && !inside[i - 1]) ||
        (x + 1 < width && !inside[i + 1]) ||
        (y > 0 && !inside[i - width]) ||
        (y + 1 < height && !inside[i + width]);
      mask[i] = edge ? MASK_CONTOUR : MASK_INSIDE;
    }
  }
  return mask;
}
