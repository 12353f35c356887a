// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest, seededF32 } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { liveBufferCount, readUint32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { attributionStats } from './attribution-stats.kernel.js';
import {
  ATTRIBUTION_STATS_INIT,
  ATTRIBUTION_STATS_WORDS,
  attributionStatsRef,
  decodeAttributionStats,
  type AttributionStats,
} from './attribution-stats.ref.js';
import { SIGN_CODE, type SignMode } from './sign.ref.js';

const SIGNS: SignMode[] = ['positive', 'negative', 'absolute', 'both'];

async function gpuStats(device: GPUDevice, values: Float32Array<ArrayBuffer>, sign: SignMode): Promise<AttributionStats> {
  const src = uploadBuffer(device, values, 'values');
  const stats = uploadBuffer(device, Uint32Array.from(ATTRIBUTION_STATS_INIT), 'stats');
  await runKernel(device, attributionStats, { params: { count: values.length, sign: SIGN_CODE[sign] }, values: src, stats });
  const words = await readUint32(device, stats, ATTRIBUTION_STATS_WORDS);
  releaseBuffer(device, src);
  releaseBuffer(device, stats);
  return decodeAttributionStats(words);
}

/** Seeded values with NaN, +Inf and -Inf planted at given indices. */
function withNonFinite(count: number, seed: number, at: readonly number[]): Float32Array<ArrayBuffer> {
  const values = seededF32(count, seed, -3, 2);
  const planted = [NaN, Infinity, -Infinity];
  at.forEach((index, k) => (values[index] = planted[k % 3]!));
  return values;
}

const CASES: { why: string; values: () => Float32Array<ArrayBuffer> }[] = [
  { why: 'one element', values: () => new Float32Array([-1.5]) },
  { why: 'less than one workgroup (200)', values: () => seededF32(200, 1, -3, 2) },
  { why: 'ragged last workgroup (1000)', values: () => seededF32(1000, 2, -3, 2) },
  { why: 'odd size 257 (one past a workgroup)', values: () => seededF32(257, 3, -1, 1) },
  { why: 'a 224x224 map', values: () => seededF32(224 * 224, 4, -3, 2) },
  { why: 'all equal', values: () => new Float32Array(777).fill(0.625) },
  { why: 'all zero (incl. -0)', values: () => Float32Array.from({ length: 300 }, (_, i) => (i % 2 ? -0 : 0)) },
  { why: 'negative only', values: () => seededF32(999, 5, -4, -0.5) },
  { why: 'NaN, +Inf, -Inf in several workgroups', values: () => withNonFinite(5000, 6, [4321, 17, 999, 300]) },
  { why: 'every value non-finite', values: () => new Float32Array([NaN, Infinity, -Infinity]) },
  { why: 'huge magnitudes', values: () => new Float32Array([3.4e38, -3.4e38, 1e-45, -1e-45]) },
];

describe('attribution-stats', () => {
  gpuTest.for(CASES.flatMap((c) => SIGNS.map((sign) => ({ ...c, sign }))))(
    'equals attributionStatsRef exactly: $why, sign $sign',
    async ({ values, sign }, { device }) => {
      const input = values();
      const gpu = await gpuStats(device, input, sign);
      const ref = attributionStatsRef(input, sign);
      expect(attributionStats.tolerance).toEqual({ abs: 0, rel: 0 });
      // toEqual compares NaN equal to NaN and tells -0 from +0 (Object.is), as the tolerance 0 demands.
      expect(gpu).toEqual(ref);
      expect(liveBufferCount(device)).toBe(0);
    },
  );

  gpuTest('hand-computed: range, magnitude, count and first position of the non-finite values', async ({ device }) => {
    const values = new Float32Array([0.5, -2, NaN, 1.25, Infinity, -0.75]);
    expect(await gpuStats(device, values, 'positive')).toEqual({ min: -2, max: 1.25, magnitude: 1.25, nonFinite: 2, firstNonFinite: 2 });
    expect(await gpuStats(device, values, 'negative')).toMatchObject({ magnitude: 2 });
    expect(await gpuStats(device, new Float32Array([-1, -3]), 'positive')).toEqual({
      min: -3,
      max: -1,
      magnitude: 0,
      nonFinite: 0,
      firstNonFinite: -1,
    });
  });
});
