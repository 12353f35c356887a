// SPDX-License-Identifier: Apache-2.0
// The naive gradient-path baselines (guided-ig-loop.ts, path-loops.ts, guided-relu-loops.ts) compute
// what webxai's methods compute, on the shipped MNIST CNN on tfjs's webgpu backend, and leave no
// tensor behind. Never timings.
import { describe, expect, it } from 'vitest';
import { correlation, leakFree, mnistFixture, relativeError, webxaiResult } from '../../../test/naive-agreement.js';
import { naiveGuidedIg } from './guided-ig-loop.js';

const f = mnistFixture();
const webxai = (options: Record<string, unknown>) => webxaiResult(f, options);

describe('the naive gradient-path baselines compute what webxai computes (MNIST CNN, webgpu)', () => {
  it('Guided IG: the same adaptive path as PAIR (f32, webxai ties |gradient| on a grid)', async () => {
    const naive = await leakFree(f, () => naiveGuidedIg(f.tfjs.tf, f.model, f.image, f.target, 32));
    const ours = await webxai({ method: 'guided-ig', steps: 32 });
    // Bit-equal today (on this digit |gradient|'s 25 % quantile falls among the finished features, so
    // webxai's quantised keys select what PAIR's exact ones do); the bounds leave room for f32 vs f64 gamma.
    expect(relativeError(naive, ours)).toBeLessThan(1e-3);
    expect(correlation(naive, ours)).toBeGreaterThan(0.999);
  });
});
