// SPDX-License-Identifier: Apache-2.0
import { InvalidOptionError } from '../runtime/errors.js';
import { colormapScale } from './colormap-apply.ref.js';
import { BLEND_MODE_CODE, blendOutputWidth, type BlendMode } from './heatmap-blend.ref.js';
import { COLORMAPS, type ColormapName } from './luts.js';
import { percentileFromHistogram, type MagnitudeStats } from './percentile.js';
import { SIGN_CODE, type SignMode } from './sign.ref.js';

/** Everything that decides how an attribution map is drawn. */
export interface HeatmapOptions {
  readonly width: number;
  readonly height: number;
  readonly colormap: ColormapName;
  readonly sign: SignMode;
  /** Percentile (0..100] of the signed magnitudes the colour scale saturates at (PAIR: 99). */
  readonly clip: number;
  /** Explicit clip value; overrides `clip` (to share one colour scale between several maps). */
  readonly range?: number | undefined;
  readonly mode: BlendMode;
  /** Overlay weight of the heat colours, 0..1. */
  readonly opacity: number;
  /** Percentage of pixels `masked` and `contour` keep (by magnitude). */
  readonly topK: number;
  /** Flip the colormap (matplotlib's `_r`). */
  readonly reversed?: boolean;
  readonly bins?: number;
}

/** What a render found out (for the legend, the read-out and tests). */
export interface HeatmapInfo {
  /** Output size (width doubles side by side). */
  readonly outWidth: number;
  readonly height: number;
  /** The magnitude where the colour scale saturates. */
  readonly clipValue: number;
  /** Largest signed magnitude. */
  readonly max: number;
  /** Histogram bin of the (100 - topK) percentile (pixels above it form the mask). */
  readonly thresholdBin: number;
}

/** Checks options at the API boundary; the message names the option. */
export function validateHeatmapOptions(o: HeatmapOptions): void {
  const bad = (what: string) => {
    throw new InvalidOptionError(what);
  };
  if (!Number.isInteger(o.width) || !Number.isInteger(o.height) || o.width < 1 || o.height < 1) {
    bad(`heatmap size must be positive integers, got ${o.width}x${o.height}`);
  }
  if (!Object.hasOwn(COLORMAPS, o.colormap)) bad(`colormap must be one of ${Object.keys(COLORMAPS).join(', ')}, got "${o.colormap}"`);
  if (!Object.hasOwn(SIGN_CODE, o.sign)) bad(`signed must be one of ${Object.keys(SIGN_CODE).join(', ')}, got "${o.sign}"`);
  if (!Object.hasOwn(BLEND_MODE_CODE, o.mode)) bad(`mode must be one of ${Object.keys(BLEND_MODE_CODE).join(', ')}, got "${o.mode}"`);
  if (!(o.clip > 0 && o.clip <= 100)) bad(`clip must be a percentile in (0, 100], got ${o.clip}`);
  if (!(o.opacity >= 0 && o.opacity <= 1)) bad(`opacity must be in [0, 1], got ${o.opacity}`);
  if (!(o.topK >= 0 && o.topK <= 100)) bad(`topK must be a percentage in [0, 100], got ${o.topK}`);
  if (o.range !== undefined && !(o.range >= 0 && Number.isFinite(o.range))) bad(`range must be a finite number >= 0, got ${o.range}`);
}

/** The numbers a render derives from the magnitude statistics, plus the colour scale and contour colour it draws with. */
export function summarise(stats: MagnitudeStats, o: HeatmapOptions): HeatmapInfo & { scale: number; contourColor: number } {
  const clipValue = o.range ?? percentileFromHistogram(stats, o.clip).value;
  const thresholdBin = percentileFromHistogram(stats, 100 - o.topK).bin;
  const lut = COLORMAPS[o.colormap].lut;
  return {
    outWidth: blendOutputWidth(o.width, o.mode),
    height: o.height,
    clipValue,
    max: stats.max,
    thresholdBin,
    scale: colormapScale(clipValue, o.sign),
    contourColor: lut[o.reversed ? 0 : 255]!,
  };
}
