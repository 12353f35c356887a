// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { featureCases, METHOD_GOAL, metricCases, mnistCases, mobilenetCases, NON_MODEL_GOAL, type BrowserRow } from './browser-cases.js';
import { intervalCell } from './browser.js';

const row = (name: string, family: BrowserRow['family'], goal: number, gpuRatioInterval?: readonly [number, number]): BrowserRow => ({
  name,
  family,
  goal,
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

describe('the goal each browser case carries (its row is read against it)', () => {
  it('is 1.15 for methods, 1.1 for perturbation methods and metrics, 1.15 for the metrics that explain again', () => {
    expect([METHOD_GOAL, NON_MODEL_GOAL]).toEqual([1.15, 1.1]);
    const cases = [...mnistCases(true, 12, 8), ...metricCases(true), ...mobilenetCases(), ...featureCases(true)];
    const goals = Object.fromEntries(cases.map((c) => [c.name, c.goal]));
    expect(goals['saliency']).toBe(1.15);
    expect(goals['eigen-cam']).toBe(1.15);
    expect(goals['mobilenet-v2 grad-cam']).toBe(1.15);
    expect(goals['road']).toBe(1.1);
    expect(goals['infidelity']).toBe(1.1);
    const named = (pattern: RegExp) =>
      Object.entries(goals)
        .filter(([name]) => pattern.test(name))
        .map(([, goal]) => goal);
    expect(named(/^(lime|xrai|rise|anchors)/)).toEqual([1.1, 1.1, 1.1, 1.1]);
    expect(named(/^(max-sensitivity|cascading)/)).toEqual([1.15, 1.15]);
    expect(named(/^deletion/)).toEqual([1.1]);
    expect(named(/^visualizeFeature/)).toEqual([1.15]);
  });
});

describe('intervalCell (the 95% interval column)', () => {
  it("prints the interval and marks it when the row's own goal lies inside", () => {
    expect(intervalCell(row('eigen-cam', 'cam', 1.15, [1.02, 1.21]))).toBe('1.02-1.21*');
    expect(intervalCell(row('eigen-cam', 'cam', 1.15, [1.16, 1.3]))).toBe('1.16-1.30 ');
    expect(intervalCell(row('eigen-cam', 'cam', 1.15, [0.98, 1.12]))).toBe('0.98-1.12 ');
    // ROAD's goal is 1.1: an interval that holds 1.1 but not 1.15 is marked.
    expect(intervalCell(row('road', 'metrics', 1.1, [1.05, 1.12]))).toBe('1.05-1.12*');
    expect(intervalCell(row('road', 'metrics', 1.1))).toBe('- ');
  });
});
