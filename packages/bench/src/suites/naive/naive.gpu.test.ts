// SPDX-License-Identifier: Apache-2.0
// The naive baselines compute what webxai's methods compute (else their speedups compare different
// work): on the shipped MNIST CNN on tfjs's webgpu backend, each naive loop against the webxai method
// with the same settings, and none leaves a tensor behind. Never timings.
import type * as tfNamespace from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webgpuTfjs, type WebGpuTfjs } from '../shared.js';
import { naiveAblationCam, naiveGradCam, naiveScoreCam } from './cam-loops.js';
import { gridSegments } from './grid-segments.js';
import { naiveLime } from './lime-loop.js';
import { naiveIntegratedGradients, naiveOcclusion } from './loops.js';

let tfjs: WebGpuTfjs;
let model: tfNamespace.LayersModel;
let image: tfNamespace.Tensor4D;
const target = 7;

beforeAll(async () => {
  tfjs = await webgpuTfjs({});
  const { loadMnistCnn, mnistSamples } = await import('@webxai/models');
  model = await loadMnistCnn();
  const samples = mnistSamples();
  image = tfjs.tf.tidy(() => samples.images.slice([0, 0, 0, 0], [1, 28, 28, 1]));
  samples.images.dispose();
});

afterAll(() => {
  image.dispose();
  model.dispose();
});

/** Runs webxai's `method` on the image and returns `field` of the result as numbers (all tensors disposed). */
async function webxai(options: Record<string, unknown>, field: 'attribution' | 'map' = 'attribution'): Promise<Float32Array> {
  const result = (await tfjs.core.explain(model, image, { target, ...options } as never)) as unknown as Record<string, tfNamespace.Tensor>;
  const values = (await result[field]!.data()) as Float32Array;
  tfjs.tf.dispose(Object.values(result).filter((v): v is tfNamespace.Tensor => v instanceof tfjs.tf.Tensor));
  return values;
}

/** max |a - b| / max |b|. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let [diff, scale] = [0, 0];
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  expect(scale).toBeGreaterThan(0);
  return diff / scale;
}

/** Pearson correlation. */
function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = b.length;
  const [ma, mb] = [0, 0].map((_, k) => Array.from(k ? b : a).reduce((s, v) => s + v, 0) / n) as [number, number];
  let [sab, saa, sbb] = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** Runs `work` and checks it leaves no tensor behind. */
async function leakFree<T>(work: () => Promise<T>): Promise<T> {
  const before = tfjs.tf.memory().numTensors;
  const out = await work();
  expect(tfjs.tf.memory().numTensors).toBe(before);
  return out;
}

describe('the naive baselines compute what webxai computes (MNIST CNN, webgpu)', () => {
  it('Grad-CAM: the same map at conv3', async () => {
    const naive = await leakFree(() => naiveGradCam(tfjs.tf, model, image, target, 'conv3'));
    expect(relativeError(naive, await webxai({ method: 'grad-cam', layer: 'conv3' }, 'map'))).toBeLessThan(1e-5);
  });

  it('Score-CAM: the same map at conv3', async () => {
    const naive = await leakFree(() => naiveScoreCam(tfjs.tf, model, image, target, 'conv3'));
    expect(relativeError(naive, await webxai({ method: 'score-cam', layer: 'conv3' }, 'map'))).toBeLessThan(1e-4);
  });

  it('Ablation-CAM: the same map at conv3', async () => {
    const naive = await leakFree(() => naiveAblationCam(tfjs.tf, model, image, target, 'conv3'));
    expect(relativeError(naive, await webxai({ method: 'ablation-cam', layer: 'conv3' }, 'map'))).toBeLessThan(1e-4);
  });

  it('Integrated Gradients: the same attribution with the midpoint rule', async () => {
    const naive = await leakFree(() => naiveIntegratedGradients(tfjs.tf, model, image, target, 16));
    const ours = await webxai({ method: 'integrated-gradients', steps: 16, rule: 'riemann-middle' });
    expect(relativeError(naive, ours)).toBeLessThan(1e-4);
  });

  it('occlusion: the same attribution', async () => {
    const naive = await leakFree(() => naiveOcclusion(tfjs.tf, model, image, target, 4, 4));
    expect(relativeError(naive, await webxai({ method: 'occlusion', window: 4, stride: 4 }))).toBeLessThan(1e-4);
  });

  it('LIME: agrees with webxai on the same cells (own random samples)', async () => {
    const cells = gridSegments(28, 28, 4);
    const naive = await leakFree(() => naiveLime(tfjs.tf, model, image, target, cells, 400));
    const ours = await webxai({ method: 'lime', samples: 400, segments: cells, fill: 'zero', seed: 1 });
    // webxai paints each cell's weight over its pixels: one value per cell back. Deterministic (both seeded): 0.93 here.
    const perCell = Float64Array.from({ length: 49 }, (_, c) => ours[cells.indexOf(c)]!);
    expect(correlation(naive, perCell)).toBeGreaterThan(0.9);
  });
});
