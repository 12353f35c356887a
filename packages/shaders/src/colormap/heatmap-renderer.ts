// SPDX-License-Identifier: Apache-2.0
import { BufferUsage, STORAGE_USAGE, createBuffer, readUint32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { DisposedError, InvalidOptionError, ShapeMismatchError } from '../runtime/errors.js';
import { recordKernels } from '../runtime/batch.js';
import { colormapApply } from './colormap-apply.kernel.js';
import { attributionStats } from './attribution-stats.kernel.js';
import { ATTRIBUTION_STATS_INIT, decodeAttributionStats, type AttributionStats } from './attribution-stats.ref.js';
import { heatmapBlend } from './heatmap-blend.kernel.js';
import { heatmapParams } from './heatmap-params.kernel.js';
import { HEATMAP_STATS_WORDS, decodeHeatmapScale } from './heatmap-params.ref.js';
import { magnitudeHistogram } from './magnitude-histogram.kernel.js';
import { recordPresent, type PresentTarget } from './present.js';
import { BLEND_MODE_CODE, blendOutputWidth } from './heatmap-blend.ref.js';
import { COLORMAPS, colormapLut, type ColormapName } from './luts.js';
import { DEFAULT_HISTOGRAM_BINS, magnitudeStatsGpu, percentileRank } from './percentile.js';
import { SIGN_CODE } from './sign.ref.js';
import { topkMask } from './topk-mask.kernel.js';
import { summarise, validateHeatmapOptions, type HeatmapInfo, type HeatmapOptions } from './heatmap-options.js';

/** What {@link HeatmapRenderer.draw} returns at once (the colour scale stays on the GPU). */
export interface HeatmapDraw {
  /** Sequence number of this draw on its renderer (1, 2, ...); read-outs name the draw they saw. */
  readonly frame: number;
  readonly outWidth: number;
  readonly height: number;
}

/** The asynchronous read-out of a {@link HeatmapRenderer.draw}: the numbers for legend and warnings. */
export interface HeatmapReadout {
  /** The draw whose statistics these are (the newest one when the copy was made). */
  readonly frame: number;
  /** As {@link HeatmapRenderer.render} returns it (`max` is the largest signed magnitude). */
  readonly info: HeatmapInfo;
  /** Value range and NaN/Inf count of the drawn map (attribution-stats). */
  readonly stats: AttributionStats;
}

/** Buffers a GPU-written uniform lives in: written as storage by heatmap-params, bound as uniform next. */
const PARAMS_USAGE = STORAGE_USAGE | BufferUsage.UNIFORM;

/**
 * The same pipeline on the GPU. Two entry points: {@link HeatmapRenderer.render} takes CPU values and
 * returns the numbers (magnitude-max, magnitude-histogram read back, then colormap-apply, topk-mask,
 * heatmap-blend); {@link HeatmapRenderer.draw} takes a GPU buffer and reads nothing back (the colour
 * scale is computed on the GPU; the numbers arrive through {@link HeatmapRenderer.requestReadout}). Keeps its buffers between renders (re-allocated when the size changes); call
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
  #bins = 0;
  #frames = 0;
  #lastDraw: HeatmapDraw | undefined;
  #inFlight: Promise<HeatmapReadout | undefined> | undefined;
  #queued: Promise<HeatmapReadout | undefined> | undefined;

  constructor(readonly device: GPUDevice) {}

  /** The last render's packed RGBA8 output (`outWidth * height` u32), or undefined before one. */
  get output(): GPUBuffer | undefined {
    return this.#buffers.get('output');
  }

  /** Buffers currently held (leak tests). */
  get bufferCount(): number {
    return this.#buffers.size;
  }

  #buffer(name: string, bytes: number, usage: GPUBufferUsageFlags = STORAGE_USAGE): GPUBuffer {
    let buffer = this.#buffers.get(name);
    if (!buffer) {
      buffer = createBuffer(this.device, bytes, `xai-heatmap.${name}`, usage);
      this.#buffers.set(name, buffer);
    }
    return buffer;
  }

  #release(names: readonly string[]): void {
    for (const name of names) {
      releaseBuffer(this.device, this.#buffers.get(name));
      this.#buffers.delete(name);
    }
  }

  /** Shared by both paths: (re)sizes the per-pixel buffers, uploads the image and the LUT. */
  #prepare(image: Uint32Array<ArrayBuffer>, o: HeatmapOptions): number {
    const outWidth = blendOutputWidth(o.width, o.mode);
    const size = `${o.width}x${o.height}:${outWidth}`;
    if (size !== this.#size) {
      this.#release(['values', 'image', 'colors', 'mask', 'output']);
      this.#size = size;
    }
    this.device.queue.writeBuffer(this.#buffer('image', o.width * o.height * 4), 0, image);
    if (this.#lutName !== o.colormap) {
      releaseBuffer(this.device, this.#buffers.get('lut'));
      this.#buffers.set('lut', uploadBuffer(this.device, colormapLut(o.colormap), 'xai-heatmap.lut'));
      this.#lutName = o.colormap;
    }
    return outWidth;
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
    const outWidth = this.#prepare(image, o);
    const device = this.device;
    const valuesBuffer = this.#buffer('values', count * 4);
    device.queue.writeBuffer(valuesBuffer, 0, values);
    const imageBuffer = this.#buffers.get('image')!;
    const bins = o.bins ?? DEFAULT_HISTOGRAM_BINS;
    const stats = await magnitudeStatsGpu(device, valuesBuffer, count, o.sign, bins);
    const info = summarise(stats, o);
    const colors = this.#buffer('colors', count * 4);
    const mask = this.#buffer('mask', count * 4);
    const output = this.#buffer('output', outWidth * o.height * 4);
    const sign = SIGN_CODE[o.sign];
    const lut = this.#buffers.get('lut')!;
    // The colour scale is known on the CPU by now: the three drawing kernels go out in one submit.
    await recordKernels(device, 'xai-heatmap.render', (batch) => {
      batch.dispatch(colormapApply, {
        params: { count, sign, scale: info.scale, reversed: o.reversed ? 1 : 0 },
        values: valuesBuffer,
        lut,
        colors,
      });
      if (o.mode === 'masked' || o.mode === 'contour') {
        const params = { width: o.width, height: o.height, sign, bins, binScale: stats.binScale, thresholdBin: info.thresholdBin };
        batch.dispatch(topkMask, { params, values: valuesBuffer, mask });
      }
      const blend = {
        width: o.width,
        height: o.height,
        mode: BLEND_MODE_CODE[o.mode],
        opacity: o.opacity,
        contourColor: info.contourColor,
      };
      batch.dispatch(heatmapBlend, { params: blend, image: imageBuffer, colors, mask, output });
    });
    const { scale: _scale, contourColor: _contour, ...rest } = info;
    return rest;
  }

  /**
   * Draws a map that already lives on the GPU (`values`: at least width * height f32, e.g. a tfjs
   * tensor's buffer) with no readback: attribution-stats and heatmap-params compute the range, the
   * percentile clip and the NaN/Inf check on the GPU and hand the colour scale to the next kernels
   * through GPU-written uniforms. A map with NaN or Inf is drawn blank (opaque black), never as a
   * plausible picture. The numbers come later through {@link HeatmapRenderer.requestReadout}.
   * With `present`, the picture is also drawn into that texture (e.g. a canvas's), in the same
   * submit: one `queue.submit` per frame.
   *
   * @throws {ShapeMismatchError} `values` or `image` is too small for width x height.
   * @example
   * const draw = await renderer.draw(gpuBufferOf(attribution), pixels, options); // no mapAsync
   * await presentPixels(device, texture, renderer.output!, draw.outWidth, draw.height);
   * void renderer.requestReadout().then((r) => r && showLegend(r.info));
   */
  async draw(values: GPUBuffer, image: Uint32Array<ArrayBuffer>, o: HeatmapOptions, present?: PresentTarget): Promise<HeatmapDraw> {
    if (this.#disposed) throw new DisposedError('HeatmapRenderer.draw after dispose(): create a new renderer');
    validateHeatmapOptions(o);
    const count = o.width * o.height;
    if (values.size < count * 4 || image.length !== count) {
      throw new ShapeMismatchError(
        `heatmap ${o.width}x${o.height} needs ${count} f32 values and pixels, got a ${values.size}-byte buffer and ${image.length} pixels`,
      );
    }
    const outWidth = this.#prepare(image, o);
    const bins = o.bins ?? DEFAULT_HISTOGRAM_BINS;
    const buffers = this.#drawBuffers(count, outWidth * o.height, bins);
    const device = this.device;
    const sign = SIGN_CODE[o.sign];
    device.queue.writeBuffer(buffers.stats, 0, Uint32Array.from(ATTRIBUTION_STATS_INIT));
    device.queue.writeBuffer(buffers.histogram, 0, new Uint32Array(bins));
    const scaleArgs = {
      stats: buffers.stats,
      histogram: buffers.histogram,
      histogramParams: buffers.histogramParams,
      colormapParams: buffers.colormapParams,
      topkParams: buffers.topkParams,
      blendParams: buffers.blendParams,
    };
    const uniform = {
      count,
      width: o.width,
      height: o.height,
      sign,
      bins,
      clipRank: percentileRank(o.clip, count),
      thresholdRank: percentileRank(100 - o.topK, count),
      hasRange: o.range === undefined ? 0 : 1,
      range: o.range ?? 0,
      reversed: o.reversed ? 1 : 0,
      mode: BLEND_MODE_CODE[o.mode],
      opacity: o.opacity,
      contourColor: COLORMAPS[o.colormap].lut[o.reversed ? 0 : 255]!,
    };
    const lut = this.#buffers.get('lut')!;
    const pixels = this.#buffers.get('image')!;
    const { colors, mask, output } = buffers;
    // One command buffer, one queue.submit for the whole frame (a submit is an IPC in a browser's GPU process).
    await recordKernels(device, 'xai-heatmap.draw', (batch) => {
      batch.dispatch(attributionStats, { params: { count, sign }, values, stats: buffers.stats });
      batch.dispatch(heatmapParams, { params: { ...uniform, stage: 0 }, ...scaleArgs });
      // The zeros below stand for uniform fields heatmap-params wrote on the GPU (bound instead).
      batch.dispatch(
        magnitudeHistogram,
        { params: { count, sign, bins, binScale: 0 }, values, histogram: buffers.histogram },
        { uniformBuffers: { params: buffers.histogramParams } },
      );
      batch.dispatch(heatmapParams, { params: { ...uniform, stage: 1 }, ...scaleArgs });
      batch.dispatch(
        colormapApply,
        { params: { count, sign, scale: 0, reversed: 0 }, values, lut, colors },
        { uniformBuffers: { params: buffers.colormapParams } },
      );
      if (o.mode === 'masked' || o.mode === 'contour') {
        const params = { width: o.width, height: o.height, sign, bins, binScale: 0, thresholdBin: 0 };
        batch.dispatch(topkMask, { params, values, mask }, { uniformBuffers: { params: buffers.topkParams } });
      }
      // Dispatched over the whole output, so a blanked side-by-side picture is black on both halves.
      const blend = { width: outWidth, height: o.height, mode: 0, opacity: 0, contourColor: 0 };
      batch.dispatch(
        heatmapBlend,
        { params: blend, image: pixels, colors, mask, output },
        { uniformBuffers: { params: buffers.blendParams } },
      );
      if (present) recordPresent(batch, present, output, outWidth, o.height);
    });
    this.#lastDraw = { frame: ++this.#frames, outWidth, height: o.height };
    return this.#lastDraw;
  }

  #drawBuffers(count: number, outCount: number, bins: number) {
    if (bins !== this.#bins) {
      this.#release(['histogram']);
      this.#bins = bins;
    }
    return {
      stats: this.#buffer('stats', HEATMAP_STATS_WORDS * 4),
      histogram: this.#buffer('histogram', bins * 4),
      histogramParams: this.#buffer('histogramParams', 16, PARAMS_USAGE),
      colormapParams: this.#buffer('colormapParams', 16, PARAMS_USAGE),
      topkParams: this.#buffer('topkParams', 32, PARAMS_USAGE),
      blendParams: this.#buffer('blendParams', 32, PARAMS_USAGE),
      colors: this.#buffer('colors', count * 4),
      mask: this.#buffer('mask', count * 4),
      output: this.#buffer('output', outCount * 4),
    };
  }

  /**
   * The statistics of the newest {@link HeatmapRenderer.draw}, read asynchronously: a copy into a
   * small staging buffer and a `mapAsync` that nothing in the draw path waits for. At most one
   * read-out is in flight; requests made meanwhile share one follow-up read-out, which copies the
   * newest draw's statistics when it starts (so a fast stream of draws yields the latest numbers,
   * not a backlog). Resolves undefined when nothing was drawn yet or the renderer was disposed.
   */
  requestReadout(): Promise<HeatmapReadout | undefined> {
    if (!this.#inFlight) return this.#startReadout();
    this.#queued ??= this.#inFlight.then(() => {
      this.#queued = undefined;
      return this.#startReadout();
    });
    return this.#queued;
  }

  #startReadout(): Promise<HeatmapReadout | undefined> {
    const readout = this.#readOnce().finally(() => {
      if (this.#inFlight === readout) this.#inFlight = undefined;
    });
    this.#inFlight = readout;
    return readout;
  }

  async #readOnce(): Promise<HeatmapReadout | undefined> {
    const draw = this.#lastDraw;
    const stats = this.#buffers.get('stats');
    if (this.#disposed || !draw || !stats) return undefined;
    const bytes = HEATMAP_STATS_WORDS * 4;
    const staging = this.#buffer('readout', bytes, BufferUsage.MAP_READ | BufferUsage.COPY_DST);
    const encoder = this.device.createCommandEncoder({ label: 'xai-heatmap.readout' });
    encoder.copyBufferToBuffer(stats, 0, staging, 0, bytes);
    this.device.queue.submit([encoder.finish()]);
    let words: Uint32Array<ArrayBuffer>;
    try {
      await staging.mapAsync(1 /* GPUMapMode.READ */);
      words = new Uint32Array(staging.getMappedRange(0, bytes).slice(0));
      staging.unmap();
    } catch {
      return undefined; // disposed (the staging buffer was destroyed) or the device was lost
    }
    const scale = decodeHeatmapScale(words);
    const attribution = decodeAttributionStats(words);
    return {
      frame: draw.frame,
      stats: attribution,
      info: {
        outWidth: draw.outWidth,
        height: draw.height,
        clipValue: scale.clipValue,
        max: attribution.magnitude,
        thresholdBin: scale.thresholdBin,
      },
    };
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
