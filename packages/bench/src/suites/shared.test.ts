// SPDX-License-Identifier: Apache-2.0
import { afterEach, describe, expect, it } from 'vitest';
import { envCount, interleavedRatio, median, medianOf, RunRecorder } from './shared.js';

describe('RunRecorder', () => {
  it("drops each key's first run and keeps the rest in order", () => {
    const times = new RunRecorder();
    expect(times.record('a', 100)).toBe(100); // warm-up, dropped
    times.record('b', 7); // b's warm-up
    times.record('a', 3);
    times.record('a', 1);
    times.record('a', 2);
    expect(times.timed('a')).toEqual([3, 1, 2]);
    expect(times.timed('b')).toEqual([]);
    expect(medianOf(times, 'a')).toBe(2);
    expect(medianOf(times, 'b')).toBeNaN();
    expect(times.hasRun('b')).toBe(true);
    expect(times.hasRun('c')).toBe(false);
  });

  it('reports whether any key has a kept run', () => {
    const times = new RunRecorder();
    times.record('a', 5);
    expect(times.anyTimed()).toBe(false);
    times.record('a', 6);
    expect(times.anyTimed()).toBe(true);
  });

  it('keeps the first run when the suite warms up elsewhere', () => {
    const costs = new RunRecorder<{ wallMs: number }>(false);
    costs.record('x', { wallMs: 4 });
    expect(costs.timed('x')).toEqual([{ wallMs: 4 }]);
  });

  it('median of an even count is the mean of the middle two', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('envCount', () => {
  afterEach(() => {
    delete process.env.XAI_TEST_COUNT;
  });

  it('returns the fallback when unset or empty, the value when a positive integer', () => {
    expect(envCount('XAI_TEST_COUNT', 7)).toBe(7);
    process.env.XAI_TEST_COUNT = '';
    expect(envCount('XAI_TEST_COUNT', 7)).toBe(7);
    process.env.XAI_TEST_COUNT = '12';
    expect(envCount('XAI_TEST_COUNT', 7)).toBe(12);
  });

  it.each(['0', '-3', '2.5', 'ten'])('stops on %s instead of measuring the default', (raw) => {
    process.env.XAI_TEST_COUNT = raw;
    expect(() => envCount('XAI_TEST_COUNT', 7)).toThrow(`XAI_TEST_COUNT must be a positive integer, got "${raw}"`);
  });
});

describe('interleavedRatio', () => {
  it('judges the bound on the median of the per-run ratios and gives the ratio of medians beside it', () => {
    // Per-run ratios 2, 2.5, 1: median 2. Medians 3 / 3: 1. A slow run pairs with a slow bare run.
    expect(interleavedRatio([2, 10, 3], [1, 4, 3], 1.15)).toBe(
      'median paired ratio 2.000x (bound 1.15x: DOES NOT HOLD); ratio of medians 1.000x over 3 runs',
    );
    // Per-run ratios 1.1, 1.05, 1.2, 1: median 1.075. Medians 21.5 / 20: 1.075.
    expect(interleavedRatio([22, 21, 36, 10], [20, 20, 30, 10], 1.1)).toBe(
      'median paired ratio 1.075x (bound 1.1x: holds); ratio of medians 1.075x over 4 runs',
    );
    expect(interleavedRatio([], [], 1.1)).toContain('(bound 1.1x: not run)');
  });

  it("states the 95% interval of the paired ratios' median from 6 runs, and says when the bound lies inside it", () => {
    // Per-run ratios 1.3, 1.1, 1.2, 1.0, 1.4, 1.05 (all bare runs 10 ms): 6 runs give [min, max] = [1.0, 1.4].
    const method = [13, 11, 12, 10, 14, 10.5];
    const bare = [10, 10, 10, 10, 10, 10];
    expect(interleavedRatio(method, bare, 1.2)).toBe(
      'median paired ratio 1.150x, 95% interval 1.000-1.400x, the bound inside it (bound 1.2x: holds); ratio of medians 1.150x over 6 runs',
    );
    expect(interleavedRatio(method, bare, 1.12)).toContain('the bound inside it (bound 1.12x: DOES NOT HOLD)');
    expect(interleavedRatio(method, bare, 1.5)).toContain('95% interval 1.000-1.400x (bound 1.5x: holds)');
    expect(interleavedRatio(method, bare, 0.9)).toContain('95% interval 1.000-1.400x (bound 0.9x: DOES NOT HOLD)');
  });
});
