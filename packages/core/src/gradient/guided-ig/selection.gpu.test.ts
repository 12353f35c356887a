// SPDX-License-Identifier: Apache-2.0
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { seededF32, seededInts } from '@webxai/testing';
import { selectSmallestGradients } from './selection.js';

async function select(
  backend: 'cpu' | 'webgpu',
  gradient: Float32Array,
  rows: number,
  kth: number,
  done: (i: number) => boolean = () => false,
) {
  await tf.setBackend(backend);
  const size = gradient.length / rows;
  const g = tf.tensor2d(gradient, [rows, size]);
  const x = tf.tensor2d(
    Float32Array.from(gradient, (_, i) => (done(i) ? 1 : 0)),
    [rows, size],
  );
  const xMax = tf.onesLike<tf.Tensor2D>(x);
  const s = selectSmallestGradients(g, x, xMax, kth);
  const out = Array.from(await s.data(), Boolean);
  tf.dispose([g, x, xMax, s]);
  return out;
}

/** Gradients on a coarse grid (many exact ties, like the interior of a CNN on a flat image) plus f32-sized noise. */
function nearTies(length: number, noiseSeed: number): Float32Array {
  const levels = seededInts(length, 3, -20, 21);
  const noise = seededF32(length, noiseSeed, -1, 1);
  return Float32Array.from(levels, (l, i) => (l / 20) * (1 + 3e-7 * noise[i]!));
}

describe('guided-ig selection (quantised |gradient|, ties move together)', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('selects every feature whose key is at most the kth smallest; finished features never', async () => {
    expect(await select('cpu', Float32Array.from([3, 1, 1, 2]), 1, 1)).toEqual([false, true, true, false]);
    expect(await select('cpu', Float32Array.from([3, 1, 1, 2]), 1, 0, (i) => i === 1)).toEqual([false, false, true, false]);
    // A whole row of zeros ties: all selected (PAIR: |g| <= the quantile).
    expect(await select('cpu', new Float32Array(6), 2, 1)).toEqual(new Array(6).fill(true));
  });

  it('f32-sized noise does not change the choice (the exact comparison would)', async () => {
    const a = nearTies(2 * 500, 11);
    const b = nearTies(2 * 500, 12);
    const kth = 130; // inside the tied group |g| = 0.25 (sorted positions 125..), not at its end
    expect(await select('cpu', a, 2, kth)).toEqual(await select('cpu', b, 2, kth));
    // The old rule on raw |g|: which members of the tied group at the quantile are chosen depends on the noise.
    const exact = (g: Float32Array) => {
      const row = Array.from(g.subarray(0, 500), Math.abs);
      const threshold = [...row].sort((p, q) => p - q)[kth]!;
      return row.map((v) => v <= threshold);
    };
    expect(exact(a)).not.toEqual(exact(b));
  });

  it('selects at least kth + 1 features per row whatever order topk returns them in', async () => {
    const g = seededF32(4 * 192, 21, -1, 1);
    for (const backend of ['cpu', 'webgpu'] as const) {
      const chosen = await select(backend, g, 4, 47);
      for (let r = 0; r < 4; r++) expect(chosen.slice(r * 192, (r + 1) * 192).filter(Boolean).length, backend).toBe(48);
    }
  });

  it('webgpu and cpu choose the same features', async () => {
    const g = nearTies(3 * 700, 13);
    const kth = Math.floor(0.25 * 699);
    expect(await select('webgpu', g, 3, kth)).toEqual(await select('cpu', g, 3, kth));
  });
});
