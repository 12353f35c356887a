// SPDX-License-Identifier: Apache-2.0
// Parity of ig-path-points and ig-accumulate with their CPU references, batch by batch (batches
// that split an image's path included), plus the completeness property on a linear integrand.
import { describe, expect, it } from 'vitest';
import { gpuTest, seededF32, seededInts } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { createBuffer, liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { ShapeMismatchError } from '../runtime/errors.js';
import { packPathPlan, roundedPlan, type PathPlan } from './path-plan.js';
import { igPathPoints } from './ig-path-points.kernel.js';
import { igPathPointsRef } from './ig-path-points.ref.js';
import { igAccumulate } from './ig-accumulate.kernel.js';
import { igAccumulateRef } from './ig-accumulate.ref.js';

function randomPlan(points: number, rows: number, seed: number): PathPlan {
  return roundedPlan({
    alphas: seededF32(points, seed, 0, 1),
    weights: seededF32(points, seed + 1, 0, 2 / points),
    baselineRows: Uint32Array.from(seededInts(points, seed + 2, 0, rows)),
  });
}

const CASES = [
  { images: 1, elementCount: 1, pointsPerImage: 1, batch: 1, rows: 1, why: 'one value, one point' },
  { images: 2, elementCount: 50, pointsPerImage: 3, batch: 2, rows: 1, why: 'less than one workgroup, batches split images' },
  { images: 3, elementCount: 1000, pointsPerImage: 5, batch: 4, rows: 3, why: 'ragged last workgroup, a baseline per image' },
  { images: 2, elementCount: 32 * 32 * 3, pointsPerImage: 20, batch: 16, rows: 7, why: 'realistic, random baseline rows' },
];

describe('ig-path-points + ig-accumulate', () => {
  gpuTest.for(CASES)('match their references batch by batch: $why', async (c, { device }) => {
    const { images, elementCount: n, pointsPerImage, batch, rows } = c;
    const total = images * pointsPerImage;
    const input = seededF32(images * n, 1, -2, 2);
    const baselines = seededF32(rows * n, 2, -2, 2);
    const plan = randomPlan(total, rows, 3);
    const inputBuf = uploadBuffer(device, input, 'input');
    const baselineBuf = uploadBuffer(device, baselines, 'baselines');
    const planBuf = uploadBuffer(device, packPathPlan(plan), 'plan');
    const pointsBuf = createBuffer(device, batch * n * 4, 'points');
    const attributionBuf = uploadBuffer(device, new Float32Array(images * n), 'attribution');
    const want = new Float32Array(images * n);
    for (let firstPoint = 0; firstPoint < total; firstPoint += batch) {
      const pointCount = Math.min(batch, total - firstPoint);
      const params = { elementCount: n, pointCount, firstPoint, pointsPerImage };
      await runKernel(device, igPathPoints, { params, input: inputBuf, baselines: baselineBuf, plan: planBuf, points: pointsBuf });
      const points = await readFloat32(device, pointsBuf, pointCount * n);
      expect(points).toBeAllClose(igPathPointsRef(input, baselines, plan, params), igPathPoints.tolerance);
      // Gradients: any values; the kernel must weight them by w_t (x - b_t).
      const gradients = seededF32(pointCount * n, 100 + firstPoint, -1, 1);
      const gradientBuf = uploadBuffer(device, gradients, 'gradients');
      await runKernel(device, igAccumulate, {
        params,
        input: inputBuf,
        baselines: baselineBuf,
        plan: planBuf,
        gradients: gradientBuf,
        attribution: attributionBuf,
      });
      igAccumulateRef(input, baselines, plan, gradients, want, params);
      expect(await readFloat32(device, attributionBuf, images * n)).toBeAllClose(want, igAccumulate.tolerance);
      releaseBuffer(device, gradientBuf);
    }
    for (const b of [inputBuf, baselineBuf, planBuf, pointsBuf, attributionBuf]) releaseBuffer(device, b);
    expect(liveBufferCount(device)).toBe(0);
  });

  gpuTest('a realistic batch: 8 points of 224 x 224 x 3 from 2 images', async ({ device }) => {
    const n = 224 * 224 * 3;
    const input = seededF32(2 * n, 4, 0, 1);
    const baselines = new Float32Array(n);
    const plan = randomPlan(16, 1, 5);
    const params = { elementCount: n, pointCount: 8, firstPoint: 4, pointsPerImage: 8 };
    const bufs = [
      uploadBuffer(device, input, 'input'),
      uploadBuffer(device, baselines, 'baselines'),
      uploadBuffer(device, packPathPlan(plan), 'plan'),
      createBuffer(device, 8 * n * 4, 'points'),
    ] as const;
    await runKernel(device, igPathPoints, { params, input: bufs[0], baselines: bufs[1], plan: bufs[2], points: bufs[3] });
    expect(await readFloat32(device, bufs[3], 8 * n)).toBeAllClose(igPathPointsRef(input, baselines, plan, params), igPathPoints.tolerance);
    bufs.forEach((b) => releaseBuffer(device, b));
  });

  // Property: for f(x) = w . x the gradient is w at every point, so sum(attribution) must equal
  // sum(weights) * w . (x - b); with weights summing to 1 that is f(x) - f(b) (completeness).
  gpuTest('completeness on a linear integrand', async ({ device }) => {
    const n = 777;
    const steps = 64;
    const w = seededF32(n, 6, -1, 1);
    const x = seededF32(n, 7, 0, 1);
    const b = seededF32(n, 8, 0, 0.2);
    const plan = {
      alphas: new Float32Array(steps),
      weights: new Float32Array(steps).fill(1 / steps),
      baselineRows: new Uint32Array(steps),
    };
    const gradients = new Float32Array(steps * n);
    for (let k = 0; k < steps; k++) gradients.set(w, k * n);
    const bufs = [
      uploadBuffer(device, x, 'input'),
      uploadBuffer(device, b, 'baselines'),
      uploadBuffer(device, packPathPlan(plan), 'plan'),
      uploadBuffer(device, gradients, 'g'),
      uploadBuffer(device, new Float32Array(n), 'a'),
    ] as const;
    await runKernel(device, igAccumulate, {
      params: { elementCount: n, pointCount: steps, firstPoint: 0, pointsPerImage: steps },
      input: bufs[0],
      baselines: bufs[1],
      plan: bufs[2],
      gradients: bufs[3],
      attribution: bufs[4],
    });
    const total = (await readFloat32(device, bufs[4], n)).reduce((s, v) => s + v, 0);
    const exact = w.reduce((s, wi, i) => s + wi * (x[i]! - b[i]!), 0);
    expect(Math.abs(total - exact)).toBeLessThan(1e-4);
    bufs.forEach((buf) => releaseBuffer(device, buf));
  });

  it('references reject a plan that does not fit', () => {
    const plan = { alphas: [0.5], weights: [1], baselineRows: [2] };
    expect(() => igPathPointsRef([1, 2], [0, 0], plan, { elementCount: 2, firstPoint: 0, pointCount: 1, pointsPerImage: 1 })).toThrow(
      ShapeMismatchError,
    );
    expect(() =>
      igPathPointsRef([1, 2], [0, 0], { ...plan, baselineRows: [0] }, { elementCount: 2, firstPoint: 0, pointCount: 2, pointsPerImage: 1 }),
    ).toThrow(/exceeds the plan/);
  });
});
