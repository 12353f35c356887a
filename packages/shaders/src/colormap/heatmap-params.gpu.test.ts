// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest, seededNormal } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { BufferUsage, STORAGE_USAGE, createBuffer, liveBufferCount, readUint32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { attributionStatsRef } from './attribution-stats.ref.js';
import { BLEND_MODE_BLANK, BLEND_MODE_CODE, type BlendMode } from './heatmap-blend.ref.js';
import { heatmapParams } from './heatmap-params.kernel.js';
import { HEATMAP_STATS_WORDS, decodeHeatmapScale, heatmapParamsRef, type HeatmapScaleOptions } from './heatmap-params.ref.js';
import { magnitudeHistogramRef } from './magnitude-histogram.ref.js';
import { histogramScale, percentileRank } from './percentile.js';
import { SIGN_CODE } from './sign.ref.js';

interface Case extends HeatmapScaleOptions {
  readonly why: string;
  readonly values: Float32Array<ArrayBuffer>;
  readonly bins: number;
  readonly mode: BlendMode;
}

const f32Bits = (v: number) => new Uint32Array(new Float32Array([v]).buffer)[0]!;

/** Runs both stages on stats words and a histogram computed on the CPU (isolates this kernel). */
async function runParams(device: GPUDevice, c: Case, width: number) {
  const count = c.values.length;
  const s = attributionStatsRef(c.values, c.sign);
  const words = new Uint32Array(HEATMAP_STATS_WORDS);
  words.set([0, 0, f32Bits(s.magnitude), s.nonFinite, 0]);
  const histogram = magnitudeHistogramRef(c.values, c.sign, c.bins, histogramScale(s.magnitude, c.bins));
  const stats = uploadBuffer(device, words, 'stats');
  const hist = uploadBuffer(device, histogram, 'histogram');
  const usage = STORAGE_USAGE | BufferUsage.UNIFORM;
  const outs = { histogramParams: 16, colormapParams: 16, topkParams: 32, blendParams: 32 };
  const buffers = Object.fromEntries(Object.entries(outs).map(([k, n]) => [k, createBuffer(device, n, k, usage)])) as Record<
    keyof typeof outs,
    GPUBuffer
  >;
  const uniform = {
    count,
    width,
    height: count / width,
    sign: SIGN_CODE[c.sign],
    bins: c.bins,
    clipRank: percentileRank(c.clip, count),
    thresholdRank: percentileRank(100 - c.topK, count),
    hasRange: c.range === undefined ? 0 : 1,
    range: c.range ?? 0,
    reversed: 1,
    mode: BLEND_MODE_CODE[c.mode],
    opacity: 0.25,
    contourColor: 0xabcdef,
  };
  for (const stage of [0, 1]) {
    await runKernel(device, heatmapParams, { params: { ...uniform, stage }, stats, histogram: hist, ...buffers });
  }
  const read = async (b: GPUBuffer, n: number) => Array.from(await readUint32(device, b, n));
  const result = {
    scale: decodeHeatmapScale(await readUint32(device, stats, HEATMAP_STATS_WORDS)),
    histogramParams: await read(buffers.histogramParams, 4),
    colormapParams: await read(buffers.colormapParams, 4),
    topkParams: await read(buffers.topkParams, 6),
    blendParams: await read(buffers.blendParams, 5),
  };
  [stats, hist, ...Object.values(buffers)].forEach((b) => releaseBuffer(device, b));
  return { result, uniform, histogram, nonFinite: s.nonFinite, magnitude: s.magnitude };
}

const normal = (n: number, seed: number) => seededNormal(n, seed, 0.3);
const CASES: Case[] = [
  { why: 'percentile clip 99, sign both', values: normal(224 * 224, 1), sign: 'both', clip: 99, topK: 10, bins: 2048, mode: 'overlay' },
  { why: 'clip 100 (the max), absolute', values: normal(1000, 2), sign: 'absolute', clip: 100, topK: 25, bins: 2048, mode: 'masked' },
  { why: 'explicit range, positive', values: normal(999, 3), sign: 'positive', clip: 99, range: 0.5, topK: 10, bins: 64, mode: 'contour' },
  {
    why: 'negative-only map, sign positive (max 0)',
    values: normal(300, 4).map((v) => -Math.abs(v) - 0.1),
    sign: 'positive',
    clip: 99,
    topK: 10,
    bins: 2048,
    mode: 'overlay',
  },
  {
    why: 'all equal values',
    values: new Float32Array(777).fill(0.625),
    sign: 'absolute',
    clip: 99,
    topK: 10,
    bins: 2048,
    mode: 'heatmap-only',
  },
  { why: 'odd bin count 7, topK 100', values: normal(257, 5), sign: 'negative', clip: 50, topK: 100, bins: 7, mode: 'overlay' },
  {
    why: 'NaN present: blank, side by side',
    values: Float32Array.from(normal(40, 6), (v, i) => (i === 9 ? NaN : v)),
    sign: 'both',
    clip: 99,
    topK: 10,
    bins: 2048,
    mode: 'side-by-side',
  },
];

describe('heatmap-params', () => {
  gpuTest.for(CASES)('matches heatmapParamsRef within the descriptor tolerance: $why', async (c, { device }) => {
    const width = c.values.length === 224 * 224 ? 224 : c.values.length;
    const { result, uniform, histogram, nonFinite, magnitude } = await runParams(device, c, width);
    const ref = heatmapParamsRef(magnitude, histogram, c.values.length, c);
    const tol = heatmapParams.tolerance;
    expect([result.scale.binScale, result.scale.clipValue, result.scale.scale]).toBeAllClose([ref.binScale, ref.clipValue, ref.scale], tol);
    expect(result.scale.thresholdBin).toBe(ref.thresholdBin);
    const bits = (v: number) => f32Bits(v);
    expect(result.histogramParams).toEqual([uniform.count, uniform.sign, c.bins, bits(result.scale.binScale)]);
    expect(result.colormapParams).toEqual([uniform.count, uniform.sign, bits(result.scale.scale), 1]);
    expect(result.topkParams).toEqual([width, uniform.height, uniform.sign, c.bins, bits(result.scale.binScale), ref.thresholdBin >>> 0]);
    const blank = nonFinite > 0;
    const blendWidth = blank && c.mode === 'side-by-side' ? 2 * width : width;
    expect(result.blendParams).toEqual([blendWidth, uniform.height, blank ? BLEND_MODE_BLANK : uniform.mode, bits(0.25), 0xabcdef]);
    expect(liveBufferCount(device)).toBe(0);
  });

  gpuTest('hand-computed: 4 bins over max 2, clip 50 of 4 values = upper edge of bin 1', async ({ device }) => {
    // magnitudes 0.25, 0.75, 1.25, 2 -> bins 0, 1, 2, 3 (binScale 2); rank ceil(0.5 * 4) = 2 -> bin 1 -> 2 * 2 / 4 = 1.
    const c: Case = {
      why: '',
      values: new Float32Array([0.25, -0.75, 1.25, -2]),
      sign: 'absolute',
      clip: 50,
      topK: 25,
      bins: 4,
      mode: 'overlay',
    };
    const { result } = await runParams(device, c, 4);
    expect(result.scale).toEqual({ binScale: 2, clipValue: 1, thresholdBin: 2, scale: 256 });
  });
});
