// SPDX-License-Identifier: Apache-2.0
// Tie rules of the other arg-max-style gradients tfjs differentiates, on both backends, as recorded
// in docs/decisions/0005. These pin tfjs 4.22's behaviour: if one fails after an upgrade, re-check
// the ADR (and whether webxai should override that kernel too).
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { installFirstMaxPoolGrad, uninstallFirstMaxPoolGrad } from './first-max-pool-grad.js';

async function gradOn(backend: 'cpu' | 'webgpu', f: (x: tf.Tensor) => tf.Tensor, values: number[], shape: number[]): Promise<number[]> {
  await tf.setBackend(backend);
  const x = tf.tensor(values, shape);
  const g = tf.grad(f)(x);
  const out = Array.from(await g.data());
  tf.dispose([x, g]);
  return out;
}

async function both(f: (x: tf.Tensor) => tf.Tensor, values: number[], shape: number[]) {
  return { cpu: await gradOn('cpu', f, values, shape), webgpu: await gradOn('webgpu', f, values, shape) };
}

describe('tie rules of arg-max-style gradients in tfjs 4.22 (cpu and webgpu)', () => {
  afterAll(async () => {
    installFirstMaxPoolGrad();
    await tf.setBackend('cpu');
  });

  it('max / reduce-max: every tied maximum gets the full gradient on both backends (PyTorch amax splits it evenly)', async () => {
    expect(await both((x) => tf.max(x), [1, 3, 3, 2], [4])).toEqual({ cpu: [0, 1, 1, 0], webgpu: [0, 1, 1, 0] });
    expect(await both((x) => tf.max(x, 1).sum(), [1, 3, 3, 2, 2, 0], [2, 3])).toEqual({
      cpu: [0, 1, 1, 1, 1, 0],
      webgpu: [0, 1, 1, 1, 1, 0],
    });
  });

  it('maximum(a, b): a tie sends the gradient to a, on both backends', async () => {
    const r = await both((x) => tf.maximum(x, tf.fill([4], 3)).sum(), [1, 3, 3, 2], [4]);
    expect(r).toEqual({ cpu: [0, 1, 1, 0], webgpu: [0, 1, 1, 0] });
  });

  // Stock tfjs (webxai's first-max kernels uninstalled; first-max-pool-grad.gpu.test.ts covers them).
  it('maxPool3d: both backends send a tied window to its LAST element (PyTorch: first), so they agree with each other', async () => {
    uninstallFirstMaxPoolGrad();
    const r = await both((x) => tf.maxPool3d(x as tf.Tensor5D, 2, 2, 'valid').sum(), new Array<number>(8).fill(0), [1, 2, 2, 2, 1]);
    expect(r).toEqual({ cpu: [0, 0, 0, 0, 0, 0, 0, 1], webgpu: [0, 0, 0, 0, 0, 0, 0, 1] });
  });

  it('maxPool3d with a window of unequal height and width: the cpu backend drops the gradient (tfjs bug), webgpu is right', async () => {
    uninstallFirstMaxPoolGrad();
    const values = Array.from({ length: 12 }, (_, i) => i);
    const r = await both((x) => tf.maxPool3d(x as tf.Tensor5D, [1, 3, 2], [1, 3, 2], 'valid').sum(), values, [1, 1, 3, 4, 1]);
    expect(r.webgpu).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1]);
    expect(r.cpu).toEqual(new Array(12).fill(0));
  });

  it('maxPoolWithArgmax has no gradient in tfjs (nothing to align)', async () => {
    await tf.setBackend('cpu');
    const x = tf.zeros<tf.Rank.R4>([1, 2, 2, 1]);
    expect(() => tf.grad((v: tf.Tensor) => tf.maxPoolWithArgmax(v as tf.Tensor4D, 2, 2, 'valid').result!.sum())(x)).toThrow(
      /gradient function not found/,
    );
    x.dispose();
  });
});
