// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { median, medianInterval } from './median.js';

/** Deterministic uniform draws in [0, 1) (mulberry32). */
function uniforms(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('medianInterval', () => {
  it('takes the 6th and 16th of 21 values, covering 1 - 2 P(B <= 5) = 1 - 2 * 27896 / 2^21', () => {
    const values = [21, 3, 17, 9, 1, 12, 20, 6, 14, 2, 11, 19, 8, 16, 4, 13, 10, 18, 5, 15, 7];
    const interval = medianInterval(values)!;
    expect(interval.low).toBe(6);
    expect(interval.high).toBe(16);
    // 1 + 21 + 210 + 1330 + 5985 + 20349 = 27896; rank 7 would cover 1 - 2 * 82160 / 2^21 = 0.922 < 0.95.
    expect(interval.coverage).toBeCloseTo(1 - (2 * 27896) / 2 ** 21, 12);
  });

  it('needs 6 values at 95%: [min, max] of 6 covers 1 - 2 / 64, of 5 only 1 - 2 / 32', () => {
    expect(medianInterval([5, 1, 4, 2, 3])).toBeUndefined();
    expect(medianInterval([])).toBeUndefined();
    const six = medianInterval([5, 1, 6, 4, 2, 3])!;
    expect([six.low, six.high]).toEqual([1, 6]);
    expect(six.coverage).toBeCloseTo(1 - 2 / 64, 12);
  });

  it('takes the 2nd and 8th of 9 values (P(B <= 1) = 10 / 512, P(B <= 2) = 46 / 512) and narrows at a lower confidence', () => {
    const nine = [90, 10, 80, 20, 70, 30, 60, 40, 50];
    expect(medianInterval(nine)).toEqual({ low: 20, high: 80, coverage: 1 - 20 / 512 });
    expect(medianInterval(nine, 0.8)).toEqual({ low: 30, high: 70, coverage: 1 - 92 / 512 });
  });

  it('holds the sample median, and stays finite for a thousand values (the binomial terms in log space)', () => {
    const draw = uniforms(3);
    const values = Array.from({ length: 1001 }, draw);
    const interval = medianInterval(values)!;
    const sorted = [...values].sort((a, b) => a - b);
    // Normal approximation: ranks 501 -+ 1.96 sqrt(1001) / 2, i.e. about 470 and 532.
    const rankOf = (v: number) => sorted.indexOf(v) + 1;
    expect(rankOf(interval.low)).toBeGreaterThanOrEqual(468);
    expect(rankOf(interval.low)).toBeLessThanOrEqual(472);
    expect(rankOf(interval.high)).toBe(1002 - rankOf(interval.low));
    expect(interval.low).toBeLessThanOrEqual(median(values));
    expect(interval.high).toBeGreaterThanOrEqual(median(values));
    expect(interval.coverage).toBeGreaterThanOrEqual(0.95);
    expect(interval.coverage).toBeLessThan(0.96);
  });

  it('holds the true median about as often as its coverage says (samples of 21 from an exponential, median ln 2)', () => {
    const draw = uniforms(11);
    const trials = 4000;
    let held = 0;
    let coverage = 0;
    for (let t = 0; t < trials; t++) {
      const sample = Array.from({ length: 21 }, () => -Math.log(1 - draw()));
      const interval = medianInterval(sample)!;
      coverage = interval.coverage;
      if (interval.low <= Math.LN2 && Math.LN2 <= interval.high) held++;
    }
    // 0.973 expected; the binomial standard error over 4000 trials is 0.0026.
    expect(Math.abs(held / trials - coverage)).toBeLessThan(0.01);
  });
});
