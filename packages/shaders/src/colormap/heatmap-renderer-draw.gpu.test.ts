// SPDX-License-Identifier: Apache-2.0
import { afterEach, beforeEach, describe, expect, vi, type MockInstance } from 'vitest';
import { countSubmits, gpuTest, seededInts, seededNormal } from '@webxai/testing';
import { BufferUsage, STORAGE_USAGE, createBuffer, liveBufferCount, readUint32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { runKernel } from '../runtime/kernel.js';
import { attributionStats } from './attribution-stats.kernel.js';
import { ATTRIBUTION_STATS_INIT, decodeAttributionStats } from './attribution-stats.ref.js';
import { colormapApply } from './colormap-apply.kernel.js';
import { runKernelWithGpuParams } from './gpu-params.js';
import { heatmapBlend } from './heatmap-blend.kernel.js';
import { heatmapParams } from './heatmap-params.kernel.js';
import { HEATMAP_STATS_WORDS, decodeHeatmapScale } from './heatmap-params.ref.js';
import { HeatmapRenderer } from './heatmap-renderer.js';
import type { HeatmapOptions } from './heatmap-options.js';
import { BLEND_MODE_CODE, blendOutputWidth, type BlendMode } from './heatmap-blend.ref.js';
import { COLORMAPS, colormapLut, unpackRgba } from './luts.js';
import { magnitudeHistogram } from './magnitude-histogram.kernel.js';
import { DEFAULT_HISTOGRAM_BINS, percentileRank } from './percentile.js';
import { SIGN_CODE } from './sign.ref.js';
import { topkMask } from './topk-mask.kernel.js';

const BASE: Omit<HeatmapOptions, 'width' | 'height' | 'mode'> = { colormap: 'turbo', sign: 'both', clip: 99, opacity: 0.5, topK: 10 };

/** Counts GPUBuffer.mapAsync calls (every readback goes through one); calls through to the real one. */
let mapAsync: MockInstance<GPUBuffer['mapAsync']>;
let mapAsyncCalls = 0;
beforeEach(() => {
  mapAsync = vi.spyOn(GPUBuffer.prototype, 'mapAsync');
  mapAsyncCalls = 0;
});
afterEach(() => mapAsync.mockRestore());
/** mapAsync calls since the last reset. */
const resetCount = () => (mapAsyncCalls = mapAsync.mock.calls.length);
const callsSinceReset = () => mapAsync.mock.calls.length - mapAsyncCalls;

function inputs(width: number, height: number, seed: number) {
  const count = width * height;
  return { values: seededNormal(count, seed, 0.3), image: Uint32Array.from(seededInts(count, seed + 5, 0, 2 ** 31)) };
}

/**
 * The draw as it was before frames were batched: the same kernels, each submitted on its own with
 * runKernel / runKernelWithGpuParams (its own uniform upload and validation scope). The batched
 * draw must give the very same pixels and statistics.
 */
async function drawOneKernelPerSubmit(device: GPUDevice, values: GPUBuffer, image: Uint32Array<ArrayBuffer>, o: HeatmapOptions) {
  const count = o.width * o.height;
  const outWidth = blendOutputWidth(o.width, o.mode);
  const bins = DEFAULT_HISTOGRAM_BINS;
  const sign = SIGN_CODE[o.sign];
  const params = (bytes: number) => createBuffer(device, bytes, 'params', STORAGE_USAGE | BufferUsage.UNIFORM);
  const b = {
    stats: uploadBuffer(device, Uint32Array.from([...ATTRIBUTION_STATS_INIT, 0, 0, 0, 0]), 'stats'),
    histogram: createBuffer(device, bins * 4, 'histogram'),
    histogramParams: params(16),
    colormapParams: params(16),
    topkParams: params(32),
    blendParams: params(32),
  };
  const [lut, pixels, colors, mask, output] = [
    uploadBuffer(device, colormapLut(o.colormap), 'lut'),
    uploadBuffer(device, image, 'image'),
    createBuffer(device, count * 4, 'colors'),
    createBuffer(device, count * 4, 'mask'),
    createBuffer(device, outWidth * o.height * 4, 'output'),
  ] as const;
  const uniform = {
    ...{ count, width: o.width, height: o.height, sign, bins, clipRank: percentileRank(o.clip, count) },
    ...{ thresholdRank: percentileRank(100 - o.topK, count), hasRange: o.range === undefined ? 0 : 1, range: o.range ?? 0 },
    ...{ reversed: o.reversed ? 1 : 0, mode: BLEND_MODE_CODE[o.mode], opacity: o.opacity },
    contourColor: COLORMAPS[o.colormap].lut[o.reversed ? 0 : 255]!,
  };
  await runKernel(device, attributionStats, { params: { count, sign }, values, stats: b.stats });
  await runKernel(device, heatmapParams, { params: { ...uniform, stage: 0 }, ...b });
  const histogramArgs = { params: { count, sign, bins, binScale: 0 }, values, histogram: b.histogram };
  await runKernelWithGpuParams(device, magnitudeHistogram, histogramArgs, b.histogramParams);
  await runKernel(device, heatmapParams, { params: { ...uniform, stage: 1 }, ...b });
  const colormapArgs = { params: { count, sign, scale: 0, reversed: 0 }, values, lut, colors };
  await runKernelWithGpuParams(device, colormapApply, colormapArgs, b.colormapParams);
  if (o.mode === 'masked' || o.mode === 'contour') {
    const topkArgs = { params: { width: o.width, height: o.height, sign, bins, binScale: 0, thresholdBin: 0 }, values, mask };
    await runKernelWithGpuParams(device, topkMask, topkArgs, b.topkParams);
  }
  const blendArgs = {
    params: { width: outWidth, height: o.height, mode: 0, opacity: 0, contourColor: 0 },
    image: pixels,
    colors,
    mask,
    output,
  };
  await runKernelWithGpuParams(device, heatmapBlend, blendArgs, b.blendParams);
  const result = {
    pixels: await readUint32(device, output, outWidth * o.height),
    stats: await readUint32(device, b.stats, HEATMAP_STATS_WORDS),
  };
  [...Object.values(b), lut, pixels, colors, mask, output].forEach((buffer) => releaseBuffer(device, buffer));
  return result;
}

/** Unpacked channels of two pictures: how many LUT-step-sized differences, and the largest. */
function compare(a: Uint32Array, b: Uint32Array) {
  const x = Array.from(a).flatMap(unpackRgba);
  const y = Array.from(b).flatMap(unpackRgba);
  let differing = 0;
  for (let i = 0; i < a.length; i++) if (x.slice(4 * i, 4 * i + 4).some((v, c) => Math.abs(v - y[4 * i + c]!) > 1)) differing++;
  return differing;
}

describe('HeatmapRenderer.draw (GPU range, no readback) vs render (CPU range)', () => {
  gpuTest.for(
    (['overlay', 'side-by-side', 'heatmap-only', 'masked', 'contour'] as BlendMode[]).flatMap((mode) => [
      { mode, width: 224, height: 224, range: undefined },
      { mode, width: 37, height: 11, range: 0.4 },
    ]),
  )('$mode at $width x $height, range $range: 0 readbacks per draw, same picture', async ({ mode, width, height, range }, { device }) => {
    const { values, image } = inputs(width, height, width + height);
    const options: HeatmapOptions = { ...BASE, width, height, mode, range };
    const old = new HeatmapRenderer(device);
    resetCount();
    const { result: oldInfo, submits: renderSubmits } = await countSubmits(() => old.render(values, image, options));
    expect(callsSinceReset()).toBe(2); // the CPU-range path: max, then histogram (the counter works)
    expect(renderSubmits).toBe(5); // max + its readback, histogram + its readback, then the drawing kernels in one
    const oldPixels = await old.read(oldInfo);
    old.dispose();

    const renderer = new HeatmapRenderer(device);
    const valuesBuffer = uploadBuffer(device, values, 'values');
    resetCount();
    const draw = await renderer.draw(valuesBuffer, image, options);
    await renderer.draw(valuesBuffer, image, options); // a second frame reuses every buffer
    expect(callsSinceReset()).toBe(0);
    const pixels = await readUint32(device, renderer.output!, draw.outWidth * draw.height);
    // Tolerance: the GPU computes bins / max and 128 / clip in f32 (2.5 ULP) where the CPU path rounds
    // an f64 result once, so a value lying exactly on a LUT-index or histogram-bin edge may land one
    // step over. Allowed: at most 0.1% of the pixels off by more than 1 per channel.
    expect(compare(pixels, oldPixels)).toBeLessThanOrEqual(Math.ceil(0.001 * width * height));
    const readout = await renderer.requestReadout();
    expect(readout?.frame).toBe(2);
    expect(readout?.info.outWidth).toBe(oldInfo.outWidth);
    expect(readout?.info.max).toBe(oldInfo.max);
    expect(readout?.info.clipValue).toBeCloseTo(oldInfo.clipValue, 6);
    expect(Math.abs(readout!.info.thresholdBin - oldInfo.thresholdBin)).toBeLessThanOrEqual(1);
    expect(readout?.stats).toMatchObject({ min: Math.min(...values), max: Math.max(...values), nonFinite: 0, firstNonFinite: -1 });
    renderer.dispose();
    releaseBuffer(device, valuesBuffer);
    expect(liveBufferCount(device)).toBe(0);
  });

  gpuTest.for(
    (['overlay', 'side-by-side', 'heatmap-only', 'masked', 'contour'] as BlendMode[]).map((mode) => ({ mode, nan: mode === 'overlay' })),
  )('$mode (NaN: $nan): one queue.submit per draw, same pixels as one submit per kernel', async ({ mode, nan }, { device }) => {
    const { values, image } = inputs(224, 224, 11);
    if (nan) values[5000] = NaN;
    const options: HeatmapOptions = { ...BASE, width: 224, height: 224, mode, range: mode === 'masked' ? 0.5 : undefined };
    const valuesBuffer = uploadBuffer(device, values, 'values');
    const before = await drawOneKernelPerSubmit(device, valuesBuffer, image, options);
    const renderer = new HeatmapRenderer(device);
    await renderer.draw(valuesBuffer, image, options); // warm-up: pipelines compile
    const { result: draw, submits } = await countSubmits(() => renderer.draw(valuesBuffer, image, options));
    expect(submits).toBe(1);
    const pixels = await readUint32(device, renderer.output!, draw.outWidth * draw.height);
    expect(pixels).toEqual(before.pixels);
    const readout = await renderer.requestReadout();
    expect(readout?.stats).toEqual(decodeAttributionStats(before.stats));
    expect(readout?.info.clipValue).toBe(decodeHeatmapScale(before.stats).clipValue);
    expect(readout?.info.thresholdBin).toBe(decodeHeatmapScale(before.stats).thresholdBin);
    renderer.dispose();
    releaseBuffer(device, valuesBuffer);
    expect(liveBufferCount(device)).toBe(0);
  });

  gpuTest('with a present target, the frame is drawn into the texture in the same single submit', async ({ device }) => {
    const { values, image } = inputs(37, 11, 4);
    const options: HeatmapOptions = { ...BASE, width: 37, height: 11, mode: 'side-by-side' };
    const texture = device.createTexture({
      size: [74, 11],
      format: 'rgba8unorm',
      usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC,
    });
    const valuesBuffer = uploadBuffer(device, values, 'values');
    const renderer = new HeatmapRenderer(device);
    const target = { format: texture.format, texture: vi.fn(() => texture) };
    await renderer.draw(valuesBuffer, image, options, target); // warm-up: pipelines compile
    const { result: draw, submits } = await countSubmits(() => renderer.draw(valuesBuffer, image, options, target));
    expect(submits).toBe(1);
    expect(target.texture).toHaveBeenCalledTimes(2); // fetched at submit time, once per frame
    const bytesPerRow = 512;
    const readback = device.createBuffer({ size: bytesPerRow * 11, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const encoder = device.createCommandEncoder();
    encoder.copyTextureToBuffer({ texture }, { buffer: readback, bytesPerRow }, [74, 11]);
    device.queue.submit([encoder.finish()]);
    await readback.mapAsync(GPUMapMode.READ);
    const rows = new Uint32Array(readback.getMappedRange());
    const shown = new Uint32Array(74 * 11);
    for (let y = 0; y < 11; y++) shown.set(rows.subarray((y * bytesPerRow) / 4, (y * bytesPerRow) / 4 + 74), y * 74);
    readback.unmap();
    expect(shown).toEqual(await readUint32(device, renderer.output!, draw.outWidth * draw.height));
    readback.destroy();
    texture.destroy();
    renderer.dispose();
    releaseBuffer(device, valuesBuffer);
    expect(liveBufferCount(device)).toBe(0);
  });

  gpuTest.for([{ mode: 'overlay' as const }, { mode: 'side-by-side' as const }])(
    'NaN or Inf in the map: the picture is blank ($mode), the read-out counts them and names the first',
    async ({ mode }, { device }) => {
      const { values, image } = inputs(16, 8, 3);
      values[37] = NaN;
      values[90] = -Infinity;
      const renderer = new HeatmapRenderer(device);
      const valuesBuffer = uploadBuffer(device, values, 'values');
      const draw = await renderer.draw(valuesBuffer, image, { ...BASE, width: 16, height: 8, mode });
      const pixels = await readUint32(device, renderer.output!, draw.outWidth * draw.height);
      expect(new Set(pixels)).toEqual(new Set([0xff000000]));
      expect((await renderer.requestReadout())?.stats).toMatchObject({ nonFinite: 2, firstNonFinite: 37 });
      renderer.dispose();
      releaseBuffer(device, valuesBuffer);
      expect(liveBufferCount(device)).toBe(0);
    },
  );

  gpuTest('read-outs: at most one in flight; requests meanwhile share one follow-up', async ({ device }) => {
    const { values, image } = inputs(20, 10, 9);
    const options: HeatmapOptions = { ...BASE, width: 20, height: 10, mode: 'overlay' };
    const renderer = new HeatmapRenderer(device);
    expect(await renderer.requestReadout()).toBeUndefined(); // nothing drawn yet
    const valuesBuffer = uploadBuffer(device, values, 'values');
    await renderer.draw(valuesBuffer, image, options);
    resetCount();
    const first = renderer.requestReadout();
    const second = renderer.requestReadout();
    const third = renderer.requestReadout();
    expect(second).toBe(third); // one follow-up for every request made while one is in flight
    expect(callsSinceReset()).toBe(1);
    expect((await first)?.frame).toBe(1);
    expect((await third)?.frame).toBe(1);
    expect(callsSinceReset()).toBe(2);
    await renderer.draw(valuesBuffer, image, options);
    expect((await renderer.requestReadout())?.frame).toBe(2); // the copy is made when the read-out starts
    // Disposing with a read-out in flight settles it with undefined and frees everything.
    const pending = renderer.requestReadout();
    renderer.dispose();
    expect(await pending).toBeUndefined();
    releaseBuffer(device, valuesBuffer);
    expect(liveBufferCount(device)).toBe(0);
  });
});
