// SPDX-License-Identifier: Apache-2.0
import { createBuffer, readUint32, releaseBuffer } from '../runtime/buffers.js';
import { InvalidOptionError } from '../runtime/errors.js';
import { runKernel } from '../runtime/kernel.js';
import { magnitudeHistogram } from './magnitude-histogram.kernel.js';
import { magnitudeHistogramRef } from './magnitude-histogram.ref.js';
import { magnitudeMax } from './magnitude-max.kernel.js';
import { magnitudeMaxRef } from './magnitude-max.ref.js';
import { SIGN_CODE, type SignMode } from './sign.ref.js';

/** Default number of histogram bins for percentile clipping: the clip is exact to max / 2048. */
export const DEFAULT_HISTOGRAM_BINS = 2048;

/** Max and histogram of an attribution's signed magnitudes: what percentile clipping needs. */
export interface MagnitudeStats {
  /** Number of values. */
  readonly count: number;
  /** Largest signed magnitude (0 if none is positive). */
  readonly max: number;
  /** f32 multiplier from magnitude to bin: f32(bins / max), 0 when max is 0. */
  readonly binScale: number;
  /** Counts per bin over [0, max]. */
  readonly histogram: Uint32Array<ArrayBuffer>;
}

/** A percentile found in a histogram: its value (upper edge of its bin) and bin index (-1: below all). */
export interface HistogramPercentile {
  readonly value: number;
  readonly bin: number;
}

/** binScale = f32(bins / max) (0 for max 0); computed once and shared by the GPU and CPU paths. */
export function histogramScale(max: number, bins: number): number {
  return max > 0 ? Math.fround(bins / max) : 0;
}

function checkBins(bins: number): void {
  if (!Number.isInteger(bins) || bins < 1 || bins > 65_536) {
    throw new InvalidOptionError(`histogram bins must be an integer in [1, 65536], got ${bins}`);
  }
}

/** Rank of the `q`-th percentile among `count` values: ceil(q / 100 * count) (GPU draw path: a uniform). */
export function percentileRank(q: number, count: number): number {
  return Math.ceil((q / 100) * count);
}

/**
 * The `q`-th percentile (0..100) of the magnitudes, by cumulative search over the histogram: the
 * smallest bin whose cumulative count reaches rank ceil(q/100 * count); its value is that bin's upper
 * edge (max for the last bin). q = 0 gives bin -1 (value 0): every element lies above it. The GPU and
 * the CPU path call this same function on identical histograms, so they give the same percentile.
 *
 * @example
 * percentileFromHistogram(magnitudeStatsRef(values, 'absolute'), 99).value; // PAIR's default clip
 */
export function percentileFromHistogram(stats: MagnitudeStats, q: number): HistogramPercentile {
  if (!(q >= 0 && q <= 100)) throw new InvalidOptionError(`percentile must be in [0, 100], got ${q}`);
  const rank = percentileRank(q, stats.count);
  if (rank <= 0 || stats.count === 0) return { value: 0, bin: -1 };
  const bins = stats.histogram.length;
  let cumulative = 0;
  for (let b = 0; b < bins; b++) {
    cumulative += stats.histogram[b]!;
    if (cumulative >= rank) return { value: b === bins - 1 ? stats.max : (stats.max * (b + 1)) / bins, bin: b };
  }
  return { value: stats.max, bin: bins - 1 };
}

/** CPU path of {@link magnitudeStatsGpu}: max and histogram of the signed magnitudes. */
export function magnitudeStatsRef(values: ArrayLike<number>, sign: SignMode, bins = DEFAULT_HISTOGRAM_BINS): MagnitudeStats {
  checkBins(bins);
  const max = magnitudeMaxRef(values, sign);
  const binScale = histogramScale(max, bins);
  return { count: values.length, max, binScale, histogram: magnitudeHistogramRef(values, sign, bins, binScale) };
}

/**
 * Max and histogram of the signed magnitudes of `count` f32 values in `values`, on the GPU
 * (magnitude-max, then magnitude-histogram; two small readbacks). Allocates and frees its own buffers.
 *
 * @example
 * const stats = await magnitudeStatsGpu(device, buffer, 224 * 224, 'absolute');
 * percentileFromHistogram(stats, 99).value; // equals the CPU reference's
 */
export async function magnitudeStatsGpu(
  device: GPUDevice,
  values: GPUBuffer,
  count: number,
  sign: SignMode,
  bins = DEFAULT_HISTOGRAM_BINS,
): Promise<MagnitudeStats> {
  checkBins(bins);
  const maxBuffer = createBuffer(device, 4, 'magnitude-max.result');
  const histogram = createBuffer(device, bins * 4, 'magnitude-histogram.bins');
  try {
    await runKernel(device, magnitudeMax, { params: { count, sign: SIGN_CODE[sign] }, values, result: maxBuffer });
    const bits = await readUint32(device, maxBuffer, 1);
    const max = new Float32Array(bits.buffer)[0]!;
    const binScale = histogramScale(max, bins);
    await runKernel(device, magnitudeHistogram, {
      params: { count, sign: SIGN_CODE[sign], bins, binScale },
      values,
      histogram,
    });
    return { count, max, binScale, histogram: await readUint32(device, histogram, bins) };
  } finally {
    releaseBuffer(device, maxBuffer);
    releaseBuffer(device, histogram);
  }
}
