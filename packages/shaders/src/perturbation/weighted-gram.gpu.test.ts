// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest, seededF32, seededInts } from '@webxai/testing';
import { runKernel, type Tolerance } from '../runtime/kernel.js';
import { createBuffer, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { gramColumns, weightedGram } from './weighted-gram.kernel.js';
import { weightedGramRef } from './weighted-gram.ref.js';

const CASES = [
  { count: 1, features: 1, mode: 'lime', why: 'one sample, one feature' },
  { count: 0, features: 3, mode: 'lime', why: 'no samples: G = 0' },
  { count: 50, features: 8, mode: 'shap', why: 'one block of G (8 columns)' },
  { count: 50, features: 7, mode: 'lime', why: 'a full block and a ragged one (9 columns)' },
  { count: 1000, features: 60, mode: 'lime', why: 'LIME default: 1000 samples' },
  { count: 777, features: 33, mode: 'shap', why: 'KernelSHAP, ragged' },
  { count: 101, features: 38, mode: 'shap', why: 'KernelSHAP in the browser bench: 38 features, 101 samples' },
  { count: 2248, features: 100, mode: 'lime', why: '100 features, 2248 samples (KernelSHAP default 2 F + 2048)' },
  { count: 4096, features: 6, mode: 'shap', why: '4096 samples: three full 16-term levels' },
] as const;

/**
 * The entry of `got` furthest outside the kernel's bound |error| <= abs + rel * sum_n w_n |z_ni z_nj|,
 * with that sum bounded by Cauchy-Schwarz from the exact diagonal: sqrt(G_ii G_jj) (w >= 0).
 */
function worstEntry(got: Float32Array, want: Float64Array, columns: number, tolerance: Tolerance) {
  let worst = { i: 0, j: 0, error: 0, allowed: Infinity };
  for (let i = 0; i < columns; i++) {
    for (let j = 0; j < columns; j++) {
      const k = i * columns + j;
      const error = Math.abs(got[k]! - want[k]!);
      const allowed = tolerance.abs + tolerance.rel * Math.sqrt(want[i * columns + i]! * want[j * columns + j]!);
      if (!(error / allowed <= worst.error / worst.allowed)) worst = { i, j, error, allowed };
    }
  }
  return worst;
}

describe('weighted-gram', () => {
  gpuTest.for(CASES)('matches weightedGramRef: $mode, $why', async ({ count, features, mode }, { device }) => {
    const samples = new Float32Array(seededInts((count + 3) * features, 1, 0, 2)); // rows 3.. are used
    const scores = seededF32(count, 2, -2, 2);
    const weights = seededF32(count, 3, 0, 1);
    const [base, delta] = [0.25, 1.5];
    const columns = gramColumns(mode, features);
    const b = [
      uploadBuffer(device, samples, 's'),
      uploadBuffer(device, scores, 'y'),
      uploadBuffer(device, weights, 'w'),
      createBuffer(device, columns * columns * 4, 'g'),
    ] as const;
    await runKernel(device, weightedGram[mode], {
      params: { samples: count, rowOffset: 3, features, columns, base, delta },
      samples: b[0],
      scores: b[1],
      weights: b[2],
      gram: b[3],
    });
    const got = await readFloat32(device, b[3], columns * columns);
    const want = weightedGramRef({ mode, samples, scores, weights, count, features, base, delta, rowOffset: 3 });
    const worst = worstEntry(got, want, columns, weightedGram[mode].tolerance);
    expect(worst.error, `G[${worst.i}, ${worst.j}]`).toBeLessThanOrEqual(worst.allowed);
    // symmetric, exactly
    for (let i = 0; i < columns; i++) for (let j = 0; j < i; j++) expect(got[i * columns + j]).toBe(got[j * columns + i]);
    b.forEach((x) => releaseBuffer(device, x));
  });
});
