// SPDX-License-Identifier: Apache-2.0
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { seededF32 } from '@webxai/testing';
import { dftTables, disposeDftTables, halfWidth } from './dft-tables.js';
import { inverseRealDft, inverseRealDftVjp } from './inverse-dft.js';

const K = 0.3; // the plane factor folded into the column table

/** c_v k cos / -c_v k sin of spectrum entry (u, part, v) at pixel (y, x), in f64: the plain 2-D inverse real DFT's weight. */
function weight(h: number, w: number, u: number, part: number, v: number, y: number, x: number): number {
  const c = v === 0 || (w % 2 === 0 && v === w / 2) ? 1 : 2;
  const angle = 2 * Math.PI * ((u * y) / h + (v * x) / w);
  return K * c * (part === 0 ? Math.cos(angle) : -Math.sin(angle));
}

/** Planes [P, h, w] of the spectrum [P, h, 2 W'] and the adjoint of `g` [P, h, w], term by term in f64. */
function naive(spectrum: Float32Array, g: Float32Array, planes: number, h: number, w: number): { planes: number[]; vjp: number[] } {
  const W = halfWidth(w);
  const out = new Array<number>(planes * h * w).fill(0);
  const vjp = new Array<number>(planes * h * 2 * W).fill(0);
  for (let p = 0; p < planes; p++) {
    for (let u = 0; u < h; u++) {
      for (let part = 0; part < 2; part++) {
        for (let v = 0; v < W; v++) {
          const s = ((p * h + u) * 2 + part) * W + v;
          for (let y = 0; y < h; y++) {
            for (let x = 0; x < w; x++) {
              const a = weight(h, w, u, part, v, y, x);
              out[(p * h + y) * w + x]! += a * spectrum[s]!;
              vjp[s]! += a * g[(p * h + y) * w + x]!;
            }
          }
        }
      }
    }
  }
  return { planes: out, vjp };
}

describe('inverse real DFT by folded table products', () => {
  afterAll(async () => {
    await tf.setBackend('webgpu');
  });

  // Odd heights run the plain row product, even ones the parity fold; widths with W' a multiple of
  // 4 need no padding (6, 7), the others do (3, 5, 8, 10).
  const sizes = [
    [5, 7],
    [6, 6],
    [6, 8],
    [4, 3],
    [7, 5],
    [12, 10],
  ] as const;
  for (const backend of ['webgpu', 'cpu'] as const) {
    it(`${backend}: planes and VJP equal the f64 sums (abs 2e-5 + rel 1e-4), odd and even sizes, padded or not; leaks nothing`, async () => {
      await tf.setBackend(backend);
      for (const [h, w] of sizes) {
        const planes = 3;
        const W = halfWidth(w);
        const spectrum = seededF32(planes * h * 2 * W, 10 * h + w, -1, 1);
        const g = seededF32(planes * h * w, 100 + 10 * h + w, -1, 1);
        const want = naive(spectrum, g, planes, h, w);
        const tables = dftTables(h, w, K);
        const before = tf.memory().numTensors;
        const [got, gotVjp] = tf.tidy(() => [
          inverseRealDft(tables, tf.tensor3d(spectrum, [planes, h, 2 * W]), w),
          inverseRealDftVjp(tables, tf.tensor3d(g, [planes, h, w])),
        ]);
        expect(got.shape).toEqual([planes, h, w]);
        expect(gotVjp.shape).toEqual([planes, h, 2 * W]);
        // f32 tables and sums of up to 2 h W' terms of size ~2 K: a few 1e-6 of error.
        expect(Array.from(await got.data()), `${h}x${w}`).toBeAllClose(want.planes, { abs: 2e-5, rel: 1e-4 });
        expect(Array.from(await gotVjp.data()), `${h}x${w} VJP`).toBeAllClose(want.vjp, { abs: 2e-5, rel: 1e-4 });
        tf.dispose([got, gotVjp]);
        expect(tf.memory().numTensors).toBe(before);
        disposeDftTables(tables);
      }
    });
  }
});
