// SPDX-License-Identifier: Apache-2.0
import { colormapScale } from './colormap-apply.ref.js';
import { histogramScale, percentileFromHistogram } from './percentile.js';
import type { SignMode } from './sign.ref.js';

/** The colour-scale numbers heatmap-params.wgsl derives on the GPU (stats words 5..8, decoded). */
export interface HeatmapScale {
  /** f32 multiplier from magnitude to histogram bin (bins / max). */
  readonly binScale: number;
  /** The magnitude where the colour scale saturates (the `clip` percentile, or `range`). */
  readonly clipValue: number;
  /** Histogram bin of the (100 - topK) percentile (-1: every pixel is above it). */
  readonly thresholdBin: number;
  /** colormap-apply's scale: 128 (sign both) or 256 over the clip value, 0 for clip 0. */
  readonly scale: number;
}

/** The options heatmap-params needs (a subset of HeatmapOptions). */
export interface HeatmapScaleOptions {
  readonly sign: SignMode;
  readonly clip: number;
  readonly range?: number | undefined;
  readonly topK: number;
}

/**
 * CPU reference for heatmap-params.wgsl (both stages): from the largest signed magnitude and the
 * histogram of `count` magnitudes, the same numbers the CPU-range path computes (f64, rounded once).
 */
export function heatmapParamsRef(
  magnitude: number,
  histogram: Uint32Array<ArrayBuffer>,
  count: number,
  o: HeatmapScaleOptions,
): HeatmapScale {
  const stats = { count, max: magnitude, binScale: histogramScale(magnitude, histogram.length), histogram };
  const clipValue = o.range ?? percentileFromHistogram(stats, o.clip).value;
  return {
    binScale: stats.binScale,
    clipValue,
    thresholdBin: percentileFromHistogram(stats, 100 - o.topK).bin,
    scale: colormapScale(clipValue, o.sign),
  };
}

/** Decodes stats words 5..8 (the u32 bits heatmap-params writes) into a {@link HeatmapScale}. */
export function decodeHeatmapScale(words: Uint32Array<ArrayBuffer>): HeatmapScale {
  const f32 = new Float32Array(words.buffer, words.byteOffset, words.length);
  const i32 = new Int32Array(words.buffer, words.byteOffset, words.length);
  return { binScale: f32[5]!, clipValue: f32[6]!, thresholdBin: i32[7]!, scale: f32[8]! };
}

/** Words of the stats buffer: attribution-stats' 5 and heatmap-params' 4. */
export const HEATMAP_STATS_WORDS = 9;
