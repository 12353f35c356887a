// SPDX-License-Identifier: Apache-2.0
// Parity of both passes of gaussian-blur-axis and of blur-ig-accumulate with their references,
// plus scipy's kernel rules and the blur's axioms (identity at sigma 0, mass and constants kept).
import { describe, expect, it } from 'vitest';
import { gpuTest, seededF32 } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { createBuffer, liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { gaussianHalfKernel, packBlurPlan, type BlurPlan } from './gaussian-kernel.js';
import { gaussianBlurAxis } from './gaussian-blur-axis.kernel.js';
import { gaussianBlurAxisRef } from './gaussian-blur-axis.ref.js';
import { blurIgAccumulate } from './blur-ig-accumulate.kernel.js';
import { blurIgAccumulateRef } from './blur-ig-accumulate.ref.js';

/** Both passes on the GPU; returns the blurred batch and the reference's. */
async function blurBoth(
  device: GPUDevice,
  input: Float32Array<ArrayBuffer>,
  shape: [number, number, number],
  plan: BlurPlan,
  firstPoint = 0,
) {
  const [height, width, channels] = shape;
  const packed = packBlurPlan(plan);
  const pointCount = plan.sigmas.length - firstPoint;
  const size = pointCount * height * width * channels;
  const bufs = {
    plan: uploadBuffer(device, packed.points, 'plan'),
    weights: uploadBuffer(device, packed.weights, 'weights'),
    input: uploadBuffer(device, input, 'input'),
    middle: createBuffer(device, size * 4, 'middle'),
    output: createBuffer(device, size * 4, 'output'),
  };
  const params = { height, width, channels, pointCount, firstPoint, stride: packed.stride };
  await runKernel(device, gaussianBlurAxis.height, {
    params,
    plan: bufs.plan,
    weights: bufs.weights,
    input: bufs.input,
    output: bufs.middle,
  });
  await runKernel(device, gaussianBlurAxis.width, {
    params,
    plan: bufs.plan,
    weights: bufs.weights,
    input: bufs.middle,
    output: bufs.output,
  });
  const middle = await readFloat32(device, bufs.middle, size);
  const gpu = await readFloat32(device, bufs.output, size);
  const pass = { height, width, channels, pointCount, firstPoint };
  const wantMiddle = gaussianBlurAxisRef(input, packed, { ...pass, axis: 0, sourceFromPlan: true });
  // The second pass is checked against the reference applied to the GPU's first pass.
  const wantOutput = gaussianBlurAxisRef(middle, packed, { ...pass, axis: 1, sourceFromPlan: false });
  Object.values(bufs).forEach((b) => releaseBuffer(device, b));
  return { gpu, middle, wantMiddle, wantOutput, ref: gaussianBlurAxisRef(wantMiddle, packed, { ...pass, axis: 1, sourceFromPlan: false }) };
}

describe('gaussian kernel (scipy gaussian_filter1d, truncate 4)', () => {
  it('radius int(4 sigma + 0.5), normalised over 2r + 1 taps, identity at 0 and below radius 1', () => {
    expect(Array.from(gaussianHalfKernel(0))).toEqual([1]);
    expect(Array.from(gaussianHalfKernel(0.01))).toEqual([1]);
    const one = gaussianHalfKernel(1);
    const z = 1 + 2 * [1, 2, 3, 4].reduce((s, i) => s + Math.exp(-0.5 * i * i), 0);
    expect(one.length).toBe(5);
    one.forEach((w, i) => expect(w).toBeCloseTo(Math.exp(-0.5 * i * i) / z, 15));
    for (const sigma of [0.3, 2.5, 50]) {
      const k = gaussianHalfKernel(sigma);
      expect(k.length).toBe(Math.floor(4 * sigma + 0.5) + 1);
      expect(k.reduce((s, w, i) => s + (i ? 2 * w : w), 0)).toBeCloseTo(1, 14);
    }
  });
});

describe('gaussian-blur-axis', () => {
  const CASES = [
    { shape: [1, 1, 1] as [number, number, number], sigmas: [2], why: 'one pixel: every tap but the centre is padding' },
    { shape: [5, 7, 3] as [number, number, number], sigmas: [0, 0.7, 3], why: 'less than one workgroup, sigma 0 included' },
    { shape: [13, 11, 2] as [number, number, number], sigmas: [1.5, 4, 0.2, 9], why: 'ragged last workgroup' },
    { shape: [64, 64, 3] as [number, number, number], sigmas: [50, 12.5, 2], why: 'realistic: radius 200 past the image' },
  ];
  gpuTest.for(CASES)('both passes match the reference: $why', async ({ shape, sigmas }, { device }) => {
    const images = 2;
    const input = seededF32(images * shape[0] * shape[1] * shape[2], 3, -2, 2);
    const plan = { sourceRows: sigmas.map((_, i) => i % images), sigmas };
    const r = await blurBoth(device, input, shape, plan);
    expect(r.middle).toBeAllClose(r.wantMiddle, gaussianBlurAxis.height.tolerance);
    expect(r.gpu).toBeAllClose(r.wantOutput, gaussianBlurAxis.width.tolerance);
    expect(liveBufferCount(device)).toBe(0);
  });

  gpuTest('a batch from the middle of the plan (firstPoint) reads its own rows and kernels', async ({ device }) => {
    const input = seededF32(3 * 9 * 8 * 1, 4, 0, 1);
    const r = await blurBoth(device, input, [9, 8, 1], { sourceRows: [2, 0, 1, 2], sigmas: [5, 0, 1, 2] }, 2);
    expect(r.gpu).toBeAllClose(r.wantOutput, gaussianBlurAxis.width.tolerance);
  });

  gpuTest('axioms: sigma 0 is the identity; mass inside the image and interior constants are kept', async ({ device }) => {
    const input = seededF32(16 * 16 * 2, 5, 0, 1);
    const identity = await blurBoth(device, input, [16, 16, 2], { sourceRows: [0], sigmas: [0] });
    expect(Array.from(identity.gpu)).toEqual(Array.from(input));
    // A blob far from the border: the blur keeps its sum (per channel).
    const blob = new Float32Array(40 * 40);
    for (let y = 18; y < 22; y++) for (let x = 17; x < 23; x++) blob[y * 40 + x] = 1 + ((x * y) % 3);
    const blurred = await blurBoth(device, blob, [40, 40, 1], { sourceRows: [0], sigmas: [2] });
    const sum = (a: Float32Array) => a.reduce((s, v) => s + v, 0);
    expect(sum(blurred.gpu)).toBeCloseTo(sum(blob), 4);
    // A constant image stays constant where the kernel does not reach the padding.
    const flat = new Float32Array(30 * 30).fill(0.75);
    const kept = await blurBoth(device, flat, [30, 30, 1], { sourceRows: [0], sigmas: [2] });
    expect(kept.gpu[15 * 30 + 15]).toBeCloseTo(0.75, 6);
    expect(kept.gpu[0]).toBeLessThan(0.75 * 0.6); // corner: padding pulls it down
  });
});

describe('blur-ig-accumulate', () => {
  gpuTest.for([
    { images: 1, n: 1, steps: 2, batch: 1 },
    { images: 2, n: 150, steps: 5, batch: 3 },
    { images: 2, n: 32 * 32 * 3, steps: 10, batch: 8 },
  ])('matches the reference: $images images x $n, $steps steps in batches of $batch', async ({ images, n, steps, batch }, { device }) => {
    const total = images * steps;
    const weights = seededF32(total, 6, -0.5, 0);
    // Not zeroed: the first batch of an image starts it from 0 whatever the buffer held.
    const attribution = uploadBuffer(device, new Float32Array(images * n).fill(Number.NaN), 'attribution');
    const weightBuf = uploadBuffer(device, weights, 'weights');
    const want = new Float32Array(images * n).fill(Number.NaN);
    for (let firstPoint = 0; firstPoint < total; firstPoint += batch) {
      const pointCount = Math.min(batch, total - firstPoint);
      const points = seededF32(pointCount * n, 7 + firstPoint, -2, 2);
      const ahead = points.map((v, i) => v + 0.01 * Math.sin(i));
      const gradients = seededF32(pointCount * n, 8 + firstPoint, -1, 1);
      const bufs = [uploadBuffer(device, points, 'p'), uploadBuffer(device, ahead, 'a'), uploadBuffer(device, gradients, 'g')] as const;
      const params = { elementCount: n, pointCount, firstPoint, pointsPerImage: steps };
      await runKernel(device, blurIgAccumulate, {
        params: { ...params, invGradStep: 100 },
        weights: weightBuf,
        points: bufs[0],
        ahead: bufs[1],
        gradients: bufs[2],
        attribution,
      });
      blurIgAccumulateRef(weights, points, ahead, gradients, want, 100, params);
      bufs.forEach((b) => releaseBuffer(device, b));
    }
    expect(await readFloat32(device, attribution, images * n)).toBeAllClose(want, blurIgAccumulate.tolerance);
    releaseBuffer(device, attribution);
    releaseBuffer(device, weightBuf);
  });
});
