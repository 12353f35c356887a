// SPDX-License-Identifier: Apache-2.0
// Parity of noise-points (fed by the seeded RNG) and smoothgrad-accumulate with their references,
// for every inner method and variant, batch by batch; plus the mean/variance identities.
import { describe, expect } from 'vitest';
import { gpuTest, seededF32 } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { createBuffer, liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { normalRef } from '../random/random-fill.ref.js';
import { randomNormal } from '../random/random.js';
import { noisePoints } from './noise-points.kernel.js';
import { noisePointsRef } from './noise-points.ref.js';
import { smoothGradAccumulate, type SmoothGradInner, type SmoothGradVariant } from './smoothgrad-accumulate.kernel.js';
import { smoothGradAccumulateRef } from './smoothgrad-accumulate.ref.js';

const CASES = [
  { images: 1, elementCount: 1, samples: 1, batch: 1, why: 'one value, one sample' },
  { images: 3, elementCount: 70, samples: 4, batch: 5, why: 'less than one workgroup; batches start mid-round' },
  { images: 2, elementCount: 1000, samples: 6, batch: 4, why: 'ragged last workgroup' },
  { images: 2, elementCount: 32 * 32 * 3, samples: 8, batch: 16, why: 'realistic' },
];
const COMBOS: [SmoothGradInner, SmoothGradVariant][] = [
  ['abs', 'mean'],
  ['identity', 'squared'],
  ['times-input', 'variance'],
];

describe('noise-points + smoothgrad-accumulate', () => {
  gpuTest.for(CASES.flatMap((c) => COMBOS.map(([inner, variant]) => ({ ...c, inner, variant }))))(
    '$inner/$variant match their references: $why',
    async (c, { device }) => {
      const { images, elementCount: n, samples, batch, inner, variant } = c;
      const total = images * samples;
      const input = seededF32(images * n, 1, -2, 2);
      const minima = Float32Array.from({ length: images }, (_, i) => Math.min(...input.subarray(i * n, (i + 1) * n)));
      const maxima = Float32Array.from({ length: images }, (_, i) => Math.max(...input.subarray(i * n, (i + 1) * n)));
      const bufs = {
        input: uploadBuffer(device, input, 'input'),
        minima: uploadBuffer(device, minima, 'min'),
        maxima: uploadBuffer(device, maxima, 'max'),
        points: createBuffer(device, batch * n * 4, 'points'),
        moment1: uploadBuffer(device, new Float32Array(images * n), 'm1'),
        moment2: uploadBuffer(device, new Float32Array(images * n), 'm2'),
      };
      const want1 = new Float32Array(images * n);
      const want2 = new Float32Array(images * n);
      const kernel = smoothGradAccumulate(inner, variant);
      for (let firstPoint = 0; firstPoint < total; firstPoint += batch) {
        const pointCount = Math.min(batch, total - firstPoint);
        const params = { elementCount: n, pointCount, firstPoint, imageCount: images };
        await randomNormal(device, { seed: 9, offset: firstPoint * n, count: pointCount * n, output: bufs.points });
        await runKernel(device, noisePoints, {
          params: { ...params, noiseLevel: 0.15 },
          input: bufs.input,
          minima: bufs.minima,
          maxima: bufs.maxima,
          points: bufs.points,
        });
        const wantPoints = noisePointsRef(input, minima, maxima, normalRef(9, firstPoint * n, pointCount * n), 0.15, params);
        const points = await readFloat32(device, bufs.points, pointCount * n);
        expect(points).toBeAllClose(wantPoints, noisePoints.tolerance);
        const gradients = seededF32(pointCount * n, 50 + firstPoint, -1, 1);
        const gradientBuf = uploadBuffer(device, gradients, 'g');
        await runKernel(device, kernel, {
          params: { ...params, invSamples: 1 / samples },
          points: bufs.points,
          gradients: gradientBuf,
          moment1: bufs.moment1,
          moment2: bufs.moment2,
        });
        smoothGradAccumulateRef(inner, variant, points, gradients, want1, want2, 1 / samples, params);
        releaseBuffer(device, gradientBuf);
      }
      expect(await readFloat32(device, bufs.moment1, images * n)).toBeAllClose(want1, kernel.tolerance);
      if (variant === 'variance') expect(await readFloat32(device, bufs.moment2, images * n)).toBeAllClose(want2, kernel.tolerance);
      Object.values(bufs).forEach((b) => releaseBuffer(device, b));
      expect(liveBufferCount(device)).toBe(0);
    },
  );

  // Property: identical samples have mean a, mean square a^2, and zero variance.
  gpuTest('constant samples: mean = a, squared = a^2, variance = 0', async ({ device }) => {
    const n = 300;
    const samples = 10;
    const g = seededF32(n, 3, -1, 1);
    const gradients = new Float32Array(samples * n);
    for (let s = 0; s < samples; s++) gradients.set(g, s * n);
    const bufs = [
      uploadBuffer(device, gradients, 'g'),
      uploadBuffer(device, new Float32Array(n), 'm1'),
      uploadBuffer(device, new Float32Array(n), 'm2'),
    ] as const;
    const params = { elementCount: n, pointCount: samples, firstPoint: 0, imageCount: 1, invSamples: 1 / samples };
    await runKernel(device, smoothGradAccumulate('identity', 'variance'), {
      params,
      points: bufs[0],
      gradients: bufs[0],
      moment1: bufs[1],
      moment2: bufs[2],
    });
    const m1 = await readFloat32(device, bufs[1], n);
    const m2 = await readFloat32(device, bufs[2], n);
    expect(m1).toBeAllClose(g, { abs: 1e-6, rel: 1e-6 });
    expect(m2).toBeAllClose(
      g.map((v) => v * v),
      { abs: 1e-6, rel: 1e-6 },
    );
    expect(m2.map((v, i) => v - m1[i]! * m1[i]!)).toBeAllClose(new Float32Array(n), { abs: 1e-6, rel: 0 });
    bufs.forEach((b) => releaseBuffer(device, b));
  });
});
