// SPDX-License-Identifier: Apache-2.0
import { colormapApplyRef } from './colormap-apply.ref.js';
import { heatmapBlendRef } from './heatmap-blend.ref.js';
import { summarise, validateHeatmapOptions, type HeatmapInfo, type HeatmapOptions } from './heatmap-options.js';
import { COLORMAPS } from './luts.js';
import { DEFAULT_HISTOGRAM_BINS, magnitudeStatsRef } from './percentile.js';
import { topkMaskRef } from './topk-mask.ref.js';

/**
 * The whole heatmap on the CPU: percentile clip, colormap, top-k mask, blend. The 2D-canvas path of
 * `<xai-heatmap>` and the oracle of {@link HeatmapRenderer}; returns packed RGBA8 pixels
 * (`info.outWidth x info.height`).
 */
export function renderHeatmapRef(
  values: Float32Array,
  image: Uint32Array,
  o: HeatmapOptions,
): { pixels: Uint32Array<ArrayBuffer>; info: HeatmapInfo } {
  validateHeatmapOptions(o);
  const bins = o.bins ?? DEFAULT_HISTOGRAM_BINS;
  const stats = magnitudeStatsRef(values, o.sign, bins);
  const info = summarise(stats, o);
  const colors = colormapApplyRef(values, COLORMAPS[o.colormap].lut, o.sign, info.scale, o.reversed ?? false);
  const mask = topkMaskRef(values, o.width, o.height, o.sign, bins, stats.binScale, info.thresholdBin);
  const pixels = heatmapBlendRef(image, colors, mask, o.width, o.height, o.mode, o.opacity, info.contourColor);
  const { scale: _scale, contourColor: _contour, ...rest } = info;
  return { pixels, info: rest };
}
