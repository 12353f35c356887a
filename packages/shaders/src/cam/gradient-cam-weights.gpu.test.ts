// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest, seededF32 } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { createBuffer, liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { gradientCamWeights, gradientCamWeightsFor, type KernelWeightedCam } from './gradient-cam-weights.kernel.js';
import { gradcamPpWeightsRef, xgradCamWeightsRef } from './gradient-cam-weights.ref.js';

const REFERENCES = { 'grad-cam++': gradcamPpWeightsRef, 'xgrad-cam': xgradCamWeightsRef } as const;
const METHODS = Object.keys(REFERENCES) as KernelWeightedCam[];

const CASES = [
  { images: 1, positions: 1, channels: 1, why: 'one element' },
  { images: 1, positions: 9, channels: 20, why: 'less than one workgroup' },
  { images: 3, positions: 49, channels: 67, why: 'ragged last workgroup, 3 images' },
  { images: 2, positions: 49, channels: 2048, why: 'ResNet-50 layer4' },
  { images: 1, positions: 3136, channels: 64, why: '56 x 56 map' },
];

describe('gradient-cam-weights', () => {
  gpuTest.for(METHODS.flatMap((method) => CASES.map((c) => ({ ...c, method }))))(
    '$method matches its reference: $why',
    async ({ why: _, method, ...shape }, { device }) => {
      const size = shape.images * shape.positions * shape.channels;
      const act = seededF32(size, shape.channels, 0, 2);
      // Gradients of both signs, with exact zeros (ReLU networks have many).
      const grad = seededF32(size, shape.positions + 3, -0.01, 0.01).map((g, i) => (i % 5 === 0 ? 0 : g));
      const a = uploadBuffer(device, act, 'act');
      const g = uploadBuffer(device, grad, 'grad');
      const w = createBuffer(device, shape.images * shape.channels * 4, 'weights');
      await runKernel(device, gradientCamWeightsFor(method, true), { params: shape, act: a, grad: g, weights: w });
      expect(await readFloat32(device, w, shape.images * shape.channels)).toBeAllClose(
        REFERENCES[method](act, grad, shape),
        gradientCamWeights.tolerance,
      );
      [a, g, w].forEach((b) => releaseBuffer(device, b));
      expect(liveBufferCount(device)).toBe(0);
    },
  );

  gpuTest(
    'Grad-CAM++: zero or negative gradients give zero weight; one positive gradient g gives g^2 / (2g + S g^2)',
    async ({ device }) => {
      const shape = { images: 1, positions: 2, channels: 3 };
      // channel 0: g = 0 everywhere; channel 1: negative; channel 2: g = 0.5 at p0, 0 at p1.
      const act = Float32Array.from([1, 2, 3, 1, 2, 5]);
      const grad = Float32Array.from([0, -1, 0.5, 0, -2, 0]);
      const a = uploadBuffer(device, act, 'act');
      const g = uploadBuffer(device, grad, 'grad');
      const w = createBuffer(device, 12, 'weights');
      await runKernel(device, gradientCamWeights, { params: shape, act: a, grad: g, weights: w });
      const S = 3 + 5;
      const want = (0.5 * 0.25) / (2 * 0.25 + S * 0.125 + 1e-6);
      expect(Array.from(await readFloat32(device, w, 3))).toBeAllClose([0, 0, want], gradientCamWeights.tolerance);
      [a, g, w].forEach((b) => releaseBuffer(device, b));
    },
  );

  gpuTest('XGrad-CAM: the activation-weighted mean of the gradient, sum_p g A / (sum_p A + 1e-7)', async ({ device }) => {
    const shape = { images: 1, positions: 2, channels: 3 };
    // channel 0: A = 1, 3, g = 2, 4 -> (2 + 12) / 4; channel 1: A = 0 everywhere -> 0 / 1e-7 = 0;
    // channel 2: A = 2, 6, g = -1, 0.5 -> (-2 + 3) / 8.
    const act = Float32Array.from([1, 0, 2, 3, 0, 6]);
    const grad = Float32Array.from([2, 5, -1, 4, -5, 0.5]);
    const a = uploadBuffer(device, act, 'act');
    const g = uploadBuffer(device, grad, 'grad');
    const w = createBuffer(device, 12, 'weights');
    await runKernel(device, gradientCamWeightsFor('xgrad-cam', true), { params: shape, act: a, grad: g, weights: w });
    expect(Array.from(await readFloat32(device, w, 3))).toBeAllClose([14 / (4 + 1e-7), 0, 1 / (8 + 1e-7)], gradientCamWeights.tolerance);
    [a, g, w].forEach((b) => releaseBuffer(device, b));
  });

  gpuTest.for(METHODS.flatMap((method) => CASES.slice(1, 4).map((c) => ({ ...c, method }))))(
    '$method: one gradient per channel (stride 0) gives the bits of its broadcast: $why',
    async ({ why: _, method, ...shape }, { device }) => {
      const { images, positions, channels } = shape;
      const act = seededF32(images * positions * channels, channels, 0, 2);
      const perChannel = seededF32(images * channels, 5, -0.01, 0.01).map((g, i) => (i % 7 === 0 ? 0 : g));
      // The broadcast: position p of image n holds image n's channel values.
      const broadcast = new Float32Array(act.length).map(
        (_, i) => perChannel[Math.floor(i / (positions * channels)) * channels + (i % channels)]!,
      );
      const a = uploadBuffer(device, act, 'act');
      const [g1, gp] = [uploadBuffer(device, perChannel, 'per channel'), uploadBuffer(device, broadcast, 'broadcast')];
      const [w1, wp] = [0, 1].map(() => createBuffer(device, images * channels * 4, 'weights'));
      await runKernel(device, gradientCamWeightsFor(method, false), { params: shape, act: a, grad: g1, weights: w1! });
      await runKernel(device, gradientCamWeightsFor(method, true), { params: shape, act: a, grad: gp, weights: wp! });
      const [strided, full] = await Promise.all([w1!, wp!].map((w) => readFloat32(device, w, images * channels)));
      expect(Array.from(new Uint32Array(strided!.buffer))).toEqual(Array.from(new Uint32Array(full!.buffer)));
      expect(strided).toBeAllClose(REFERENCES[method](act, broadcast, shape), gradientCamWeights.tolerance);
      expect(new Set(strided).size).toBeGreaterThan(2); // weights that differ: the gradient reached them
      [a, g1, gp, w1!, wp!].forEach((b) => releaseBuffer(device, b));
      expect(liveBufferCount(device)).toBe(0);
    },
  );
});
