// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest, seededF32, seededInts } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { createBuffer, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { gramColumns, weightedGram } from './weighted-gram.kernel.js';
import { weightedGramRef } from './weighted-gram.ref.js';

const CASES = [
  { count: 1, features: 1, mode: 'lime', why: 'one sample, one feature' },
  { count: 50, features: 4, mode: 'shap', why: 'fewer samples than a workgroup... almost' },
  { count: 1000, features: 60, mode: 'lime', why: 'LIME default: 1000 samples' },
  { count: 777, features: 33, mode: 'shap', why: 'KernelSHAP, ragged' },
] as const;

/** sum_n w |z_i z_j| for the tolerance's scale: computed by the reference on |y|. */
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
    // The bound is relative to sum w |z_i z_j|, which for |z| <= ~4 is at most 16 * sum w.
    const scale = 16 * weights.reduce((a, w) => a + w, 0);
    const { abs, rel } = weightedGram[mode].tolerance;
    expect(got).toBeAllClose(want, { abs: abs + rel * scale, rel: 0 });
    // symmetric, exactly
    for (let i = 0; i < columns; i++) for (let j = 0; j < i; j++) expect(got[i * columns + j]).toBe(got[j * columns + i]);
    b.forEach((x) => releaseBuffer(device, x));
  });
});
