// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest, seededF32 } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { createBuffer, liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { POWER_ITERATION_DEFAULTS, powerIteration, powerIterationFor } from './power-iteration.kernel.js';
import { powerIterationRef } from './power-iteration.ref.js';

/**
 * Symmetric PSD matrices with a known spectrum: M = H diag(lambda) H, H = I - 2 u u^T / u^T u (a
 * Householder reflection: orthogonal and symmetric, so column 0 of H is the leading eigenvector).
 */
function knownSpectrum(images: number, d: number, seed: number) {
  const matrices = new Float32Array(images * d * d);
  const leading = new Float32Array(images * d);
  const values: number[] = [];
  for (let n = 0; n < images; n++) {
    const u = seededF32(d, seed + n, -1, 1);
    const uu = u.reduce((a, b) => a + b * b, 0);
    const H = (i: number, j: number) => (i === j ? 1 : 0) - (2 * u[i]! * u[j]!) / uu;
    const lambda = Array.from(seededF32(d, seed + 100 + n, 0, 1), (x, i) => (i === 0 ? 10 + n : 4 * x));
    for (let i = 0; i < d; i++) {
      leading[n * d + i] = H(i, 0);
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += H(i, k) * lambda[k]! * H(k, j);
        matrices[n * d * d + i * d + j] = s;
      }
    }
    values.push(lambda[0]!);
  }
  return { matrices, leading, values };
}

async function run(
  device: GPUDevice,
  matrices: Float32Array<ArrayBuffer>,
  signs: Float32Array<ArrayBuffer>,
  images: number,
  size: number,
  kernel = powerIteration,
) {
  const m = uploadBuffer(device, matrices, 'matrices');
  const s = uploadBuffer(device, signs, 'signs');
  const vectors = createBuffer(device, images * size * 4, 'vectors');
  const values = createBuffer(device, images * 4, 'values');
  await runKernel(device, kernel, {
    params: { images, size, ...POWER_ITERATION_DEFAULTS },
    matrices: m,
    signs: s,
    vectors,
    values,
  });
  const out = { vectors: await readFloat32(device, vectors, images * size), values: await readFloat32(device, values, images) };
  [m, s, vectors, values].forEach((b) => releaseBuffer(device, b));
  return out;
}

const CASES = [
  { images: 1, size: 1, why: 'one element' },
  { images: 1, size: 7, why: 'less than one workgroup' },
  { images: 3, size: 49, why: '7 x 7 Gram matrices, 3 images' },
  { images: 1, size: 300, why: 'ragged: more rows than invocations' },
];

/** Both variants: 64 invocations a matrix, and SwiftShader's one SIMD group of 4 (powerIterationFor). */
const VARIANTS = [
  { variant: 'workgroup of 64', kernel: powerIterationFor(false) },
  { variant: 'workgroup of 4', kernel: powerIterationFor(true) },
];

describe('power-iteration', () => {
  gpuTest.for(VARIANTS.flatMap((v) => CASES.map((c) => ({ ...c, ...v }))))(
    'finds the known leading eigenpair and matches powerIterationRef: $why, $variant',
    async ({ images, size, kernel }, { device }) => {
      const { matrices, leading, values } = knownSpectrum(images, size, size);
      // Signs = the true vector with noise: fixes the sign without giving the answer away.
      const signs = leading.map((x, i) => x + (i % 3) * 0.01);
      const got = await run(device, matrices, signs, images, size, kernel);
      const ref = powerIterationRef(matrices, signs, { images, size });
      expect(got.vectors).toBeAllClose(ref.vectors, powerIteration.tolerance);
      expect(got.values).toBeAllClose(ref.values, powerIteration.tolerance);
      expect(ref.vectors).toBeAllClose(leading, { abs: 1e-5, rel: 0 });
      expect(ref.values).toBeAllClose(values, { abs: 0, rel: 1e-6 });
      expect(liveBufferCount(device)).toBe(0);
    },
  );

  gpuTest('flips the sign to agree with the sign vector; a zero matrix gives value 0', async ({ device }) => {
    const { matrices, leading } = knownSpectrum(1, 5, 9);
    const flipped = await run(
      device,
      matrices,
      leading.map((x) => -x),
      1,
      5,
    );
    expect(flipped.vectors).toBeAllClose(
      leading.map((x) => -x),
      powerIteration.tolerance,
    );
    const zero = await run(device, new Float32Array(25), new Float32Array(5).fill(1), 1, 5);
    expect(zero.values[0]).toBe(0);
    expect(zero.vectors.every(Number.isFinite)).toBe(true);
  });
});
