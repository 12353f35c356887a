// SPDX-License-Identifier: Apache-2.0
// The naive gradient baselines (guided-ig-loop.ts, path-loops.ts, guided-relu-loops.ts,
// plain-gradient-loops.ts) compute what webxai's methods compute, on the shipped MNIST CNN on
// tfjs's webgpu backend, and leave no tensor behind. Never timings.
import type * as tfNamespace from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { correlation, leakFree, mnistFixture, relativeError, webxaiResult } from '../../../test/naive-agreement.js';
import { naiveGuidedIg } from './guided-ig-loop.js';
import { naiveDeconvnet, naiveGuidedBackprop, naiveGuidedGradCam } from './guided-relu-loops.js';
import { naiveBlurIg, naiveExpectedGradients } from './path-loops.js';
import { naiveGradientXInput, naiveSaliency } from './plain-gradient-loops.js';

const f = mnistFixture();
const webxai = (options: Record<string, unknown>) => webxaiResult(f, options);

describe('the naive gradient baselines compute what webxai computes (MNIST CNN, webgpu)', () => {
  it('Guided IG: the same adaptive path as PAIR (f32, webxai ties |gradient| on a grid)', async () => {
    const naive = await leakFree(f, () => naiveGuidedIg(f.tfjs.tf, f.model, f.image, f.target, 32));
    const ours = await webxai({ method: 'guided-ig', steps: 32 });
    // Bit-equal today: on this digit webxai's quantised |gradient| keys select the same features as
    // the exact values at every iteration. The bounds leave room for f32 vs f64 gamma, not for a
    // different selection (which moves the path: 14 % of the largest value when the MaxPoolGrads differed).
    expect(relativeError(naive, ours)).toBeLessThan(1e-3);
    expect(correlation(naive, ours)).toBeGreaterThan(0.999);
  });

  it("expected gradients: the same attribution for webxai's draws (baseline rows and alphas)", async () => {
    const { tf, core } = f.tfjs;
    const baselines = tf.randomUniform<tfNamespace.Rank.R4>([4, 28, 28, 1], 0, 1, 'float32', 5);
    const result = await core.explain(f.model, f.image, {
      method: 'expected-gradients',
      baselines,
      samples: 12,
      seed: 3,
      target: f.target,
    });
    const ours = (await result.attribution.data()) as Float32Array;
    result.attribution.dispose();
    const { baselineRows, alphas } = result.samples[0]!;
    const draws = baselineRows.map((row, s) => ({ row, alpha: alphas[s]! }));
    const naive = await leakFree(f, () => naiveExpectedGradients(tf, f.model, f.image, f.target, baselines, draws));
    baselines.dispose();
    expect(relativeError(naive, ours)).toBeLessThan(1e-4);
  });

  it("Blur IG: the same attribution as PAIR's BlurIG", async () => {
    const naive = await leakFree(f, () => naiveBlurIg(f.tfjs.tf, f.model, f.image, f.target, 20));
    const ours = await webxai({ method: 'blur-ig', steps: 20 });
    // Bit-equal today; (blur(sigma + 0.01) - blur(sigma)) / 0.01 magnifies f32 rounding 100-fold, hence the bound.
    expect(relativeError(naive, ours)).toBeLessThan(1e-3);
  });

  it('guided backprop and deconvnet: the same attribution (ReLU gradients replaced by tf.customGrad)', async () => {
    const runs: Float32Array[] = [];
    for (const [method, naiveRule] of [
      ['guided-backprop', naiveGuidedBackprop],
      ['deconvnet', naiveDeconvnet],
    ] as const) {
      const naive = await leakFree(f, () => naiveRule(f.tfjs.tf, f.model, f.image, f.target));
      expect(relativeError(naive, await webxai({ method }))).toBeLessThan(1e-5);
      runs.push(naive);
    }
    // The two rules differ on this digit (so neither replacement is a no-op).
    expect(relativeError(runs[0]!, runs[1]!)).toBeGreaterThan(0.01);
  });

  it('saliency and gradient × input: the same attribution', async () => {
    for (const [method, naiveMethod] of [
      ['saliency', naiveSaliency],
      ['gradient-x-input', naiveGradientXInput],
    ] as const) {
      const naive = await leakFree(f, () => naiveMethod(f.tfjs.tf, f.model, f.image, f.target));
      expect(relativeError(naive, await webxai({ method }))).toBeLessThan(1e-5);
    }
  });

  it('guided Grad-CAM: the same attribution at conv3', async () => {
    const naive = await leakFree(f, () => naiveGuidedGradCam(f.tfjs.tf, f.model, f.image, f.target, 'conv3'));
    const ours = await webxai({ method: 'guided-grad-cam', layer: 'conv3' });
    expect(relativeError(naive, ours)).toBeLessThan(1e-5);
  });
});
