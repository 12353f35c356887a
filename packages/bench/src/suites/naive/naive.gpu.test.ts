// SPDX-License-Identifier: Apache-2.0
// The naive baselines compute what webxai's methods compute (else their speedups compare different
// work): on the shipped MNIST CNN on tfjs's webgpu backend, each naive loop against the webxai method
// with the same settings, and none leaves a tensor behind. Never timings.
import { describe, expect, it } from 'vitest';
import { correlation, leakFree, mnistFixture, relativeError, webxaiResult } from '../../../test/naive-agreement.js';
import { naiveAblationCam, naiveGradCam, naiveScoreCam } from './cam-loops.js';
import { gridSegments } from './grid-segments.js';
import { naiveLime } from './lime-loop.js';
import { naiveDeletion, naiveInsertion, naiveIntegratedGradients, naiveOcclusion } from './loops.js';
import { naivePartitionShap } from './partition-shap-loop.js';
import { naiveKernelShap } from './shap-loop.js';

const f = mnistFixture();
const webxai = (options: Record<string, unknown>, field?: 'attribution' | 'map') => webxaiResult(f, options, field);

describe('the naive baselines compute what webxai computes (MNIST CNN, webgpu)', () => {
  it('Grad-CAM: the same map at conv3', async () => {
    const naive = await leakFree(f, () => naiveGradCam(f.tfjs.tf, f.model, f.image, f.target, 'conv3'));
    expect(relativeError(naive, await webxai({ method: 'grad-cam', layer: 'conv3' }, 'map'))).toBeLessThan(1e-5);
  });

  it('Score-CAM: the same map at conv3', async () => {
    const naive = await leakFree(f, () => naiveScoreCam(f.tfjs.tf, f.model, f.image, f.target, 'conv3'));
    expect(relativeError(naive, await webxai({ method: 'score-cam', layer: 'conv3' }, 'map'))).toBeLessThan(1e-4);
  });

  it('Ablation-CAM: the same map at conv3', async () => {
    const naive = await leakFree(f, () => naiveAblationCam(f.tfjs.tf, f.model, f.image, f.target, 'conv3'));
    expect(relativeError(naive, await webxai({ method: 'ablation-cam', layer: 'conv3' }, 'map'))).toBeLessThan(1e-4);
  });

  it('Integrated Gradients: the same attribution with the midpoint rule', async () => {
    const naive = await leakFree(f, () => naiveIntegratedGradients(f.tfjs.tf, f.model, f.image, f.target, 16));
    const ours = await webxai({ method: 'integrated-gradients', steps: 16, rule: 'riemann-middle' });
    expect(relativeError(naive, ours)).toBeLessThan(1e-4);
  });

  it('occlusion: the same attribution', async () => {
    const naive = await leakFree(f, () => naiveOcclusion(f.tfjs.tf, f.model, f.image, f.target, 4, 4));
    expect(relativeError(naive, await webxai({ method: 'occlusion', window: 4, stride: 4 }))).toBeLessThan(1e-4);
  });

  it('LIME: agrees with webxai on the same cells (own random samples)', async () => {
    const cells = gridSegments(28, 28, 4);
    const naive = await leakFree(f, () => naiveLime(f.tfjs.tf, f.model, f.image, f.target, cells, 400));
    const ours = await webxai({ method: 'lime', samples: 400, segments: cells, fill: 'zero', seed: 1 });
    // webxai paints each cell's weight over its pixels: one value per cell back. Deterministic (both seeded): 0.93 here.
    const perCell = Float64Array.from({ length: 49 }, (_, c) => ours[cells.indexOf(c)]!);
    expect(correlation(naive, perCell)).toBeGreaterThan(0.9);
  });

  it('KernelSHAP: agrees with webxai on the same cells and budget (own random coalitions)', async () => {
    const cells = gridSegments(28, 28, 4);
    const naive = await leakFree(f, () => naiveKernelShap(f.tfjs.tf, f.model, f.image, f.target, cells, 1000));
    const ours = await webxai({ method: 'kernel-shap', samples: 1000, segments: cells, fill: 'zero', seed: 1 });
    const perCell = Float64Array.from({ length: 49 }, (_, c) => ours[cells.indexOf(c)]!);
    // Deterministic (both seeded): 0.96 here. Both impose sum(phi) = f(x) - f(nothing).
    expect(correlation(naive, perCell)).toBeGreaterThan(0.9);
    const sum = (values: ArrayLike<number>) => Array.from(values).reduce((a, b) => a + b, 0);
    expect(relativeError([sum(naive)], [sum(perCell)])).toBeLessThan(1e-4);
  });

  it('deletion and insertion: the same area under the curve for a saliency map', async () => {
    const { tf, core } = f.tfjs;
    const map = await webxai({ method: 'saliency' });
    const attribution = tf.tensor4d(map, f.image.shape);
    for (const [metric, naiveCurve] of [
      ['deletion', naiveDeletion],
      ['insertion', naiveInsertion],
    ] as const) {
      const naive = await leakFree(f, () => naiveCurve(tf, f.model, f.image, f.target, map, 20));
      const ours = await core.evaluate(f.model, f.image, attribution, { metric, target: f.target, steps: 20 });
      expect(relativeError([naive], ours.scores)).toBeLessThan(1e-5);
    }
    attribution.dispose();
  });

  it('Partition SHAP: the same values as webxai expanding one subproblem at a time', async () => {
    const naive = await leakFree(f, () => naivePartitionShap(f.tfjs.tf, f.model, f.image, f.target, 120));
    const ours = await webxai({ method: 'partition-shap', maxEvals: 120, fill: 'zero', batchSize: 2 });
    // batchSize 2: one expansion per model call, shap's sequential order (larger batches expand
    // several subproblems at once: the same number of evaluations, another order under the budget).
    expect(relativeError(naive, ours)).toBeLessThan(1e-4);
  });
});
