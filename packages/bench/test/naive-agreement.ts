// SPDX-License-Identifier: Apache-2.0
// Shared by the agreement tests of the naive baselines (src/suites/naive): the shipped MNIST CNN
// and one digit on tfjs's webgpu backend, webxai's answer for the same settings, and the measures
// the tests compare with.
import type * as tfNamespace from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect } from 'vitest';
import { webgpuTfjs, type WebGpuTfjs } from '../src/suites/shared.js';

/** The model and image of the agreement tests (set by the hooks {@link mnistFixture} registers). */
export interface NaiveFixture {
  tfjs: WebGpuTfjs;
  model: tfNamespace.LayersModel;
  image: tfNamespace.Tensor4D;
  readonly target: number;
}

/** Registers beforeAll / afterAll hooks that load the MNIST CNN and its first sample digit (class 7). */
export function mnistFixture(): NaiveFixture {
  const fixture = { target: 7 } as NaiveFixture;
  beforeAll(async () => {
    fixture.tfjs = await webgpuTfjs({});
    const { loadMnistCnn, mnistSamples } = await import('@webxai/models');
    fixture.model = await loadMnistCnn();
    const samples = mnistSamples();
    fixture.image = fixture.tfjs.tf.tidy(() => samples.images.slice([0, 0, 0, 0], [1, 28, 28, 1]));
    samples.images.dispose();
    // One webxai call first, as the bench's setup makes: webxai replaces tfjs-webgpu's MaxPoolGrad
    // with its first-maximum kernel (docs/decisions/0005), which the naive loops' tf.grad then
    // use too. Before it, ties in the pooling windows route the gradient differently (up to 18 %
    // of Guided IG's largest value on this digit).
    await webxaiResult(fixture, { method: 'saliency' });
  });
  afterAll(() => {
    fixture.image.dispose();
    fixture.model.dispose();
  });
  return fixture;
}

/** Runs webxai's `method` on the fixture's image and returns `field` of the result as numbers (all tensors disposed). */
export async function webxaiResult(
  f: NaiveFixture,
  options: Record<string, unknown>,
  field: 'attribution' | 'map' = 'attribution',
): Promise<Float32Array> {
  const result = (await f.tfjs.core.explain(f.model, f.image, { target: f.target, ...options } as never)) as unknown as Record<
    string,
    tfNamespace.Tensor
  >;
  const values = (await result[field]!.data()) as Float32Array;
  f.tfjs.tf.dispose(Object.values(result).filter((v): v is tfNamespace.Tensor => v instanceof f.tfjs.tf.Tensor));
  return values;
}

/** max |a - b| / max |b|. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
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
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
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
export async function leakFree<T>(f: NaiveFixture, work: () => Promise<T>): Promise<T> {
  const before = f.tfjs.tf.memory().numTensors;
  const out = await work();
  expect(f.tfjs.tf.memory().numTensors).toBe(before);
  return out;
}
