// SPDX-License-Identifier: Apache-2.0
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { seededF32, seededInts } from '@webxai/testing';
import { selectByKernel } from './select-kernel.js';
import { selectByTfjsOps } from './selection.js';

/** Gradients: smooth values, a coarse grid with many ties, and an all-zero row. */
const GRADIENTS = [
  { why: 'uniform', rows: 2, size: 3072, values: seededF32(2 * 3072, 41, -1, 1) },
  { why: 'coarse grid', rows: 3, size: 700, values: Float32Array.from(seededInts(2100, 42, -20, 21), (l) => l / 20) },
  { why: 'zeros', rows: 1, size: 300, values: new Float32Array(300) },
];

describe('guided-ig selection kernel', () => {
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
});
