// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { filterAlternatives, filterSuites, matchesFilter } from './case-filter.js';

describe('--filter alternatives', () => {
  it('splits on "|", lower-cases, trims and drops empty parts', () => {
    expect(filterAlternatives(' SHAP | xrai||')).toEqual(['shap', 'xrai']);
    expect(filterAlternatives('')).toEqual([]);
    expect(filterAlternatives(undefined)).toEqual([]);
  });

  it('a case matches when any text holds any alternative; no filter matches all', () => {
    expect(matchesFilter('shap|xrai', 'xrai (IG 32 steps x 2 baselines)', 'perturbation')).toBe(true);
    expect(matchesFilter('shap|xrai', 'kernel-shap 256', 'perturbation')).toBe(true);
    expect(matchesFilter('shap|xrai', 'lime 256', 'perturbation')).toBe(false);
    expect(matchesFilter('CAM', 'x', 'cam')).toBe(true); // by the family
    expect(matchesFilter('', 'anything')).toBe(true);
    expect(matchesFilter('|', 'anything')).toBe(true);
  });

  it('names suites only when every alternative has a "suite/" part', () => {
    expect(filterSuites('cam-auto-layer/score|perturbation/onnx')).toEqual(['cam-auto-layer', 'perturbation']);
    expect(filterSuites('cam-auto-layer/score|lime')).toBeUndefined();
    expect(filterSuites('lime')).toBeUndefined();
    expect(filterSuites(undefined)).toBeUndefined();
  });
});
