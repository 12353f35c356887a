// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { gpuBareGoal, metricCases, mnistCases, type BrowserRow } from './browser-cases.js';
import { intervalCell } from './browser.js';

const row = (name: string, family: BrowserRow['family'], gpuRatioInterval?: readonly [number, number]): BrowserRow => ({
  name,
  family,
  bare: { kind: 'forward', images: 1, batch: 1 },
  rounds: 21,
  bareGpuMs: 5,
  gpuMs: 5.5,
  gpuRatio: 1.1,
  ...(gpuRatioInterval && { gpuRatioInterval }),
  bareCpuMs: 10,
  cpuMs: 11,
  gpuOverCpu: 0.5,
  blocks: 4,
  gpuCalls: {},
  bareCalls: {},
});

describe('gpuBareGoal (the goal a browser row is read against)', () => {
  it('is 1.15 for methods, 1.1 for perturbation methods and metrics, 1.15 for the metrics that explain again', () => {
    const goals = Object.fromEntries([...mnistCases(true, 12, 8), ...metricCases(true)].map((c) => [c.name, gpuBareGoal(c)]));
    expect(goals['saliency']).toBe(1.15);
    expect(goals['eigen-cam']).toBe(1.15);
    expect(goals['road']).toBe(1.1);
    expect(goals['infidelity']).toBe(1.1);
    expect(
      Object.entries(goals)
        .filter(([name]) => name.startsWith('lime'))
        .map(([, goal]) => goal),
    ).toEqual([1.1]);
    expect(
      Object.entries(goals)
        .filter(([name]) => /^(max-sensitivity|cascading)/.test(name))
        .map(([, goal]) => goal),
    ).toEqual([1.15, 1.15]);
    expect(gpuBareGoal({ name: 'visualizeFeature 128x128, 1 ch, 8 steps', family: 'features' })).toBe(1.15);
  });
});

describe('intervalCell (the 95% interval column)', () => {
  it("prints the interval and marks it when the row's own goal lies inside", () => {
    expect(intervalCell(row('eigen-cam', 'cam', [1.02, 1.21]))).toBe('1.02-1.21*');
    expect(intervalCell(row('eigen-cam', 'cam', [1.16, 1.3]))).toBe('1.16-1.30 ');
    expect(intervalCell(row('eigen-cam', 'cam', [0.98, 1.12]))).toBe('0.98-1.12 ');
    // ROAD's goal is 1.1: an interval that holds 1.1 but not 1.15 is marked.
    expect(intervalCell(row('road', 'metrics', [1.05, 1.12]))).toBe('1.05-1.12*');
    expect(intervalCell(row('road', 'metrics'))).toBe('- ');
  });
});
