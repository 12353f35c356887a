// SPDX-License-Identifier: Apache-2.0
import { MASK_CONTOUR } from './topk-mask.ref.js';

/** How `<xai-heatmap>` composes image and attribution (heatmap-blend.wgsl's MODE_*). */
export type BlendMode = 'overlay' | 'side-by-side' | 'heatmap-only' | 'masked' | 'contour';

/** The u32 code of each {@link BlendMode} in heatmap-blend.wgsl. */
export const BLEND_MODE_CODE: Readonly<Record<BlendMode, number>> = {
  overlay: 0,
  'side-by-side': 1,
  'heatmap-only': 2,
  masked: 3,
  contour: 4,
};

/**
 * heatmap-blend.wgsl's MODE_BLANK (not a user-facing {@link BlendMode}): every output pixel opaque
 * black. The GPU-range draw path selects it on the GPU when the map holds NaN or Inf.
 */
export const BLEND_MODE_BLANK = 5;

/** Output width of a blend: twice the input width side by side. */
export function blendOutputWidth(width: number, mode: BlendMode): number {
  return mode === 'side-by-side' ? 2 * width : width;
}

const OPAQUE = 0xff000000;

function overlayRef(img: number, heat: number, opacity: number): number {
  let out = 0;
  for (let shift = 0; shift < 24; shift += 8) {
    const a = ((img >>> shift) & 0xff) / 255;
    const b = ((heat >>> shift) & 0xff) / 255;
    const mixed = Math.min(1, Math.max(0, a * (1 - opacity) + b * opacity));
    out |= Math.floor(0.5 + 255 * mixed) << shift;
  }
  return (out | OPAQUE) >>> 0;
}

/** CPU reference for heatmap-blend.wgsl (f64); also the 2D-canvas path of `<xai-heatmap>`. */
export function heatmapBlendRef(
  image: ArrayLike<number>,
  colors: ArrayLike<number>,
  mask: ArrayLike<number>,
  width: number,
  height: number,
  mode: BlendMode,
  opacity: number,
  contourColor: number,
): Uint32Array<ArrayBuffer> {
  const outWidth = blendOutputWidth(width, mode);
  const output = new Uint32Array(outWidth * height);
  for (let i = 0; i < width * height; i++) {
    const img = (image[i]! | OPAQUE) >>> 0;
    const heat = colors[i]!;
    if (mode === 'side-by-side') {
      const x = i % width;
      const y = Math.floor(i / width);
      output[y * outWidth + x] = img;
      output[y * outWidth + width + x] = overlayRef(img, heat, opacity);
    } else if (mode === 'heatmap-only') output[i] = (heat | OPAQUE) >>> 0;
    else if (mode === 'masked') output[i] = mask[i] ? img : OPAQUE;
    else if (mode === 'contour') output[i] = mask[i] === MASK_CONTOUR ? (contourColor | OPAQUE) >>> 0 : img;
    else output[i] = overlayRef(img, heat, opacity);
  }
  return output;
}
