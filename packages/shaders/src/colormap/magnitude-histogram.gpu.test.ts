// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest, seededF32, seededNormal } from '@webxai/testing';
import { liveBufferCount, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { magnitudeStatsGpu, magnitudeStatsRef, percentileFromHistogram } from './percentile.js';
import type { SignMode } from './sign.ref.js';

const SIZES = [
  { count: 1, why: 'one element' },
  { count: 200, why: 'less than one workgroup' },
  { count: 1000, why: 'ragged last workgroup' },
  { count: 224 * 224, why: 'a 224x224 attribution map' },
];
const SIGNS: SignMode[] = ['positive', 'negative', 'absolute', 'both'];

describe('magnitude-histogram + percentileFromHistogram', () => {
  gpuTest.for(SIZES.flatMap((s) => SIGNS.map((sign) => ({ ...s, sign }))))(
    'GPU histogram and percentiles equal the CPU reference exactly: $count ($why), sign $sign',
    async ({ count, sign }, { device }) => {
      const values = seededNormal(count, count * 3 + 1, 0.7);
      const src = uploadBuffer(device, values, 'values');
      const gpu = await magnitudeStatsGpu(device, src, count, sign, 512);
      const ref = magnitudeStatsRef(values, sign, 512);
      expect(gpu.max).toBe(ref.max);
      expect(gpu.binScale).toBe(ref.binScale);
      expect(Array.from(gpu.histogram)).toEqual(Array.from(ref.histogram));
      for (const q of [0, 1, 50, 90, 99, 99.9, 100]) {
        expect(percentileFromHistogram(gpu, q)).toEqual(percentileFromHistogram(ref, q));
      }
      releaseBuffer(device, src);
      expect(liveBufferCount(device)).toBe(0);
    },
  );

  gpuTest('counts every element once, with the default 2048 bins', async ({ device }) => {
    const values = seededF32(5000, 3, -1, 1);
    const src = uploadBuffer(device, values, 'values');
    const stats = await magnitudeStatsGpu(device, src, values.length, 'absolute');
    expect(stats.histogram.length).toBe(2048);
    expect(stats.histogram.reduce((a, b) => a + b, 0)).toBe(5000);
    releaseBuffer(device, src);
  });
});

describe('percentileFromHistogram (CPU)', () => {
  gpuTest('is within one bin of the exact percentile of sorted magnitudes', () => {
    const values = seededNormal(10_000, 42, 1);
    const stats = magnitudeStatsRef(values, 'absolute', 2048);
    const sorted = Array.from(values, Math.abs).sort((a, b) => a - b);
    for (const q of [10, 50, 99]) {
      const exact = sorted[Math.ceil((q / 100) * sorted.length) - 1]!;
      const { value } = percentileFromHistogram(stats, q);
      expect(value).toBeGreaterThanOrEqual(exact);
      expect(value - exact).toBeLessThanOrEqual(stats.max / 2048 + 1e-12);
    }
  });

  gpuTest('q = 100 gives the max, q = 0 gives bin -1; an all-zero map gives 0', () => {
    const stats = magnitudeStatsRef(new Float32Array([0.5, -2, 1]), 'absolute', 16);
    expect(percentileFromHistogram(stats, 100)).toEqual({ value: 2, bin: 15 });
    expect(percentileFromHistogram(stats, 0)).toEqual({ value: 0, bin: -1 });
    expect(percentileFromHistogram(magnitudeStatsRef(new Float32Array(4), 'absolute', 16), 99).value).toBe(0);
  });
});
