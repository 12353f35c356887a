// SPDX-License-Identifier: Apache-2.0
import { createBuffer, readUint32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { DisposedError, InvalidOptionError, ShapeMismatchError } from '../runtime/errors.js';
import { runKernel } from '../runtime/kernel.js';
import { colormapApply } from './colormap-apply.kernel.js';
import { colormapApplyRef, colormapScale } from './colormap-apply.ref.js';
import { heatmapBlend } from './heatmap-blend.kernel.js';
import { BLEND_MODE_CODE, blendOutputWidth, heatmapBlendRef, type BlendMode } from './heatmap-blend.ref.js';
import { COLORMAPS, colormapLut, type ColormapName } from './luts.js';
import {
  DEFAULT_HISTOGRAM_BINS,
  magnitudeStatsGpu,
  magnitudeStatsRef,
  percentileFromHistogram,
  type MagnitudeStats,
} from './percentile.js';
import { SIGN_CODE, type SignMode } from './sign.ref.js';
import { topkMask } from './topk-mask.kernel.js';
import { topkMaskRef } from './topk-mask.ref.js';

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

function summarise(stats: MagnitudeStats, o: HeatmapOptions): HeatmapInfo & { scale: number; contourColor: number } {
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

/**
 * The same pipeline on the GPU (magnitude-max, magnitude-histogram, colormap-apply, topk-mask,
 * heatmap-blend). Keeps its buffers between renders (re-allocated when the size changes); call
 * {@link HeatmapRenderer.dispose} to free them all.
 *
 * @example
 * const renderer = new HeatmapRenderer(device);
 * const info = await renderer.render(values, image, { width: 224, height: 224, colormap: 'turbo', ... });
 * await presentPixels(device, context.getCurrentTexture(), renderer.output!, info.outWidth, info.height);
 * renderer.dispose();
 */
export class HeatmapRenderer {
  #buffers = new Map<string, GPUBuffer>();
  #size = '';
  #lutName: ColormapName | undefined;
  #disposed = false;

  constructor(readonly device: GPUDevice) {}

  /** The last render's packed RGBA8 output (`outWidth * height` u32), or undefined before one. */
  get output(): GPUBuffer | undefined {
    return this.#buffers.get('output');
  }

  /** Buffers currently held (leak tests). */
  get bufferCount(): number {
    return this.#buffers.size;
  }

  #buffer(name: string, bytes: number): GPUBuffer {
    let buffer = this.#buffers.get(name);
    if (!buffer) {
      buffer = createBuffer(this.device, bytes, `xai-heatmap.${name}`);
      this.#buffers.set(name, buffer);
    }
    return buffer;
  }

  /** Renders; the result stays in {@link HeatmapRenderer.output} until the next render. */
  async render(values: Float32Array<ArrayBuffer>, image: Uint32Array<ArrayBuffer>, o: HeatmapOptions): Promise<HeatmapInfo> {
    if (this.#disposed) throw new DisposedError('HeatmapRenderer.render after dispose(): create a new renderer');
    validateHeatmapOptions(o);
    const count = o.width * o.height;
    if (values.length !== count || image.length !== count) {
      throw new ShapeMismatchError(
        `heatmap ${o.width}x${o.height} needs ${count} values and pixels, got ${values.length} and ${image.length}`,
      );
    }
    const outWidth = blendOutputWidth(o.width, o.mode);
    const size = `${o.width}x${o.height}:${outWidth}`;
    if (size !== this.#size) {
      for (const name of ['values', 'image', 'colors', 'mask', 'output']) {
        releaseBuffer(this.device, this.#buffers.get(name));
        this.#buffers.delete(name);
      }
      this.#size = size;
    }
    const device = this.device;
    const valuesBuffer = this.#buffer('values', count * 4);
    device.queue.writeBuffer(valuesBuffer, 0, values);
    const imageBuffer = this.#buffer('image', count * 4);
    device.queue.writeBuffer(imageBuffer, 0, image);
    if (this.#lutName !== o.colormap) {
      releaseBuffer(device, this.#buffers.get('lut'));
      this.#buffers.set('lut', uploadBuffer(device, colormapLut(o.colormap), 'xai-heatmap.lut'));
      this.#lutName = o.colormap;
    }
    const bins = o.bins ?? DEFAULT_HISTOGRAM_BINS;
    const stats = await magnitudeStatsGpu(device, valuesBuffer, count, o.sign, bins);
    const info = summarise(stats, o);
    const colors = this.#buffer('colors', count * 4);
    const mask = this.#buffer('mask', count * 4);
    const output = this.#buffer('output', outWidth * o.height * 4);
    const sign = SIGN_CODE[o.sign];
    await runKernel(device, colormapApply, {
      params: { count, sign, scale: info.scale, reversed: o.reversed ? 1 : 0 },
      values: valuesBuffer,
      lut: this.#buffers.get('lut')!,
      colors,
    });
    if (o.mode === 'masked' || o.mode === 'contour') {
      await runKernel(device, topkMask, {
        params: { width: o.width, height: o.height, sign, bins, binScale: stats.binScale, thresholdBin: info.thresholdBin },
        values: valuesBuffer,
        mask,
      });
    }
    await runKernel(device, heatmapBlend, {
      params: { width: o.width, height: o.height, mode: BLEND_MODE_CODE[o.mode], opacity: o.opacity, contourColor: info.contourColor },
      image: imageBuffer,
      colors,
      mask,
      output,
    });
    const { scale: _scale, contourColor: _contour, ...rest } = info;
    return rest;
  }

  /** Reads the last render's pixels back (packed RGBA8). */
  async read(info: Pick<HeatmapInfo, 'outWidth' | 'height'>): Promise<Uint32Array<ArrayBuffer>> {
    const output = this.output;
    if (!output) throw new InvalidOptionError('HeatmapRenderer.read before render()');
    return readUint32(this.device, output, info.outWidth * info.height);
  }

  /** Frees every GPU buffer; the renderer cannot be used afterwards. Safe to call twice. */
  dispose(): void {
    for (const buffer of this.#buffers.values()) releaseBuffer(this.device, buffer);
    this.#buffers.clear();
    this.#disposed = true;
  }
}
