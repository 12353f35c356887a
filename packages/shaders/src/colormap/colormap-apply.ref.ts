// SPDX-License-Identifier: Apache-2.0
import { signedMagnitudeRef, type SignMode } from './sign.ref.js';

/**
 * The f32 multiplier colormap-apply uses for a clip value: 128 / clip for `both` (the map spans
 * [-clip, clip]), 256 / clip otherwise (it spans [0, clip]); 0 when clip is 0.
 */
export function colormapScale(clip: number, sign: SignMode): number {
  if (!(clip > 0) || !Number.isFinite(clip)) return 0;
  return Math.fround((sign === 'both' ? 128 : 256) / clip);
}

/** LUT index of one value, as colormap-apply.wgsl computes it (f32 multiply emulated). */
export function colormapIndexRef(v: number, sign: SignMode, scale: number, reversed = false): number {
  const f = Math.fround(scale);
  let k: number;
  if (sign === 'both') k = Math.min(127, Math.max(-128, Math.floor(Math.fround(Math.fround(v) * f)))) + 128;
  else k = Math.min(255, Math.max(0, Math.floor(Math.fround(Math.fround(signedMagnitudeRef(v, sign)) * f))));
  return reversed ? 255 - k : k;
}

/** CPU reference for colormap-apply.wgsl; also the 2D-canvas path of `<xai-heatmap>`. */
export function colormapApplyRef(
  values: ArrayLike<number>,
  lut: ArrayLike<number>,
  sign: SignMode,
  scale: number,
  reversed = false,
): Uint32Array<ArrayBuffer> {
  const colors = new Uint32Array(values.length);
  for (let i = 0; i < values.length; i++) colors[i] = lut[colormapIndexRef(values[i]!, sign, scale, reversed)]!;
  return colors;
}
