// SPDX-License-Identifier: Apache-2.0
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { seededF32, seededInts } from '@webxai/testing';
import { clipByKernel, selectByKernel } from './kernels.js';
import { clipByTfjsOps } from './host-loop.js';
import { selectByTfjsOps } from './selection.js';

/** Gradients: smooth values, a coarse grid with many ties, and an all-zero row. */
const GRADIENTS = [
  { why: 'uniform', rows: 2, size: 3072, values: seededF32(2 * 3072, 41, -1, 1) },
  { why: 'coarse grid', rows: 3, size: 700, values: Float32Array.from(seededInts(2100, 42, -20, 21), (l) => l / 20) },
  { why: 'zeros', rows: 1, size: 300, values: new Float32Array(300) },
];

describe('guided-ig kernels (select, clip) as tfjs kernels', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it("selects the tfjs ops' features on webgpu and cpu, finished ones excluded, and leaves no tensor", async () => {
    for (const backend of ['webgpu', 'cpu'] as const) {
      await tf.setBackend(backend);
      for (const { why, rows, size, values } of GRADIENTS) {
        const g = tf.tensor2d(values, [rows, size]);
        const x = tf.tensor2d(
          Float32Array.from(values, (_, i) => (i % 4 === 0 ? 1 : 0.5)),
          [rows, size],
        );
        const xMax = tf.onesLike<tf.Tensor2D>(x);
        for (const kth of [0, Math.floor(0.25 * (size - 1)), size - 1]) {
          const before = tf.memory().numTensors;
          const fused = selectByKernel(g, x, xMax, kth + 1);
          const ops = selectByTfjsOps(g, x, xMax, kth);
          expect(Array.from(await fused.data()), `${backend} ${why} kth ${kth}`).toEqual(Array.from(await ops.data()));
          tf.dispose([fused, ops]);
          expect(tf.memory().numTensors).toBe(before);
        }
        tf.dispose([g, x, xMax]);
      }
    }
  });

  it('clips as the tfjs ops do, bit for bit, on webgpu and cpu, and leaves no tensor', async () => {
    for (const backend of ['webgpu', 'cpu'] as const) {
      await tf.setBackend(backend);
      const [rows, size] = [3, 1000];
      const xBase = tf.tensor2d(seededF32(rows * size, 51, 0, 0.2), [rows, size]);
      const diff = tf.tensor2d(
        Float32Array.from(seededF32(rows * size, 52, -1, 1), (d, i) => (i % 9 === 0 ? 0 : d)),
        [rows, size],
      );
      const alpha = tf.tensor2d(seededF32(rows * size, 53, 0.35, 0.45), [rows, size]);
      const x = tf.tidy(() => tf.add<tf.Tensor2D>(xBase, tf.mul(diff, alpha)));
      const xMin = tf.tidy(() => tf.add<tf.Tensor2D>(xBase, tf.mul(diff, 0.4)));
      const hasDiff = tf.notEqual<tf.Tensor2D>(diff, 0);
      const path = { xBase, diff, hasDiff, safeDiff: tf.tidy(() => tf.where<tf.Tensor2D>(hasDiff, diff, tf.onesLike(diff))) };
      const going = tf.tensor2d([1, 0, 1], [3, 1]);
      const before = tf.memory().numTensors;
      const fused = clipByKernel(x, xBase, diff, xMin, going, 0.4);
      const ops = clipByTfjsOps(x, xMin, 0.4, path, going);
      const [a, b, xs] = [await fused.data(), await ops.data(), await x.data()];
      expect(new Uint32Array(a.buffer), backend).toEqual(new Uint32Array(b.buffer));
      expect(Array.from(a).filter((v, i) => v !== xs[i]).length).toBeGreaterThan(0); // some features clipped
      tf.dispose([fused, ops]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([xBase, diff, alpha, x, xMin, hasDiff, path.safeDiff, going]);
    }
  });
});
