// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest, seededF32 } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { createBuffer, liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { camMap, camMapFor, type CamWeighting } from './cam-map.kernel.js';
import { camMapRef, type CamMapShape } from './cam-map.ref.js';

async function runCamMap(
  device: GPUDevice,
  act: Float32Array<ArrayBuffer>,
  weights: Float32Array<ArrayBuffer>,
  shape: CamMapShape,
  weighting: CamWeighting,
  finalNormalise = true,
) {
  const a = uploadBuffer(device, act, 'act');
  const w = uploadBuffer(device, weights, 'weights');
  const map = createBuffer(device, shape.images * shape.height * shape.width * 4, 'map');
  const output = createBuffer(device, shape.images * shape.outHeight * shape.outWidth * 4, 'output');
  const peaks = createBuffer(device, shape.images * 4, 'peaks');
  await runKernel(device, camMapFor(weighting, finalNormalise), {
    params: shape,
    act: a,
    weights: w,
    map,
    output,
    peaks,
  });
  const result = {
    map: await readFloat32(device, map, shape.images * shape.height * shape.width),
    output: await readFloat32(device, output, shape.images * shape.outHeight * shape.outWidth),
    peaks: await readFloat32(device, peaks, shape.images),
  };
  [a, w, map, output, peaks].forEach((b) => releaseBuffer(device, b));
  return result;
}

const CASES: (CamMapShape & { weighting: CamWeighting; why: string })[] = [
  { images: 1, height: 1, width: 1, channels: 1, outHeight: 1, outWidth: 1, weighting: 'channel', why: 'one element' },
  {
    images: 1,
    height: 2,
    width: 3,
    channels: 5,
    outHeight: 7,
    outWidth: 4,
    weighting: 'channel',
    why: 'less than one workgroup, non-integer scale',
  },
  {
    images: 3,
    height: 17,
    width: 19,
    channels: 3,
    outHeight: 33,
    outWidth: 40,
    weighting: 'elementwise',
    why: 'ragged last stride, 3 images',
  },
  { images: 2, height: 7, width: 7, channels: 2048, outHeight: 224, outWidth: 224, weighting: 'channel', why: 'ResNet-50 layer4 at 224' },
  {
    images: 2,
    height: 7,
    width: 7,
    channels: 320,
    outHeight: 224,
    outWidth: 224,
    weighting: 'elementwise-relu',
    why: 'MobileNetV2, LayerCAM',
  },
  { images: 1, height: 14, width: 14, channels: 64, outHeight: 14, outWidth: 14, weighting: 'elementwise', why: 'same size (no resize)' },
];

describe('cam-map', () => {
  gpuTest.for(CASES)('matches camMapRef: $why', async ({ weighting, why: _, ...shape }, { device }) => {
    const positions = shape.height * shape.width;
    const act = seededF32(shape.images * positions * shape.channels, shape.channels + 1, 0, 1);
    const wCount = weighting === 'channel' ? shape.images * shape.channels : act.length;
    const weights = seededF32(wCount, shape.height + 7, -0.5, 1);
    for (const final of [true, false]) {
      const got = await runCamMap(device, act, weights, shape, weighting, final);
      const want = camMapRef(act, weights, shape, weighting, final);
      expect(got.map).toBeAllClose(want.map, camMap.tolerance);
      expect(got.output).toBeAllClose(want.output, camMap.tolerance);
      expect(got.peaks).toBeAllClose(want.peaks, camMap.tolerance);
      // Each peak is the written map's own maximum, exactly.
      const positions = shape.height * shape.width;
      got.peaks.forEach((peak, n) => expect(peak).toBe(Math.max(...got.map.subarray(n * positions, (n + 1) * positions))));
    }
    expect(liveBufferCount(device)).toBe(0);
  });

  gpuTest('a constant activation gives a constant (zero) map, and outputs stay in [0, 1]', async ({ device }) => {
    const shape = { images: 2, height: 5, width: 6, channels: 4, outHeight: 31, outWidth: 29 };
    const act = new Float32Array(2 * 30 * 4).map((_, i) => 0.25 + (i % 4) * 0.5); // each channel constant in space
    const weights = Float32Array.from([1, -0.5, 2, 0.1, 0.3, 0.3, -1, 2]);
    const got = await runCamMap(device, act, weights, shape, 'channel');
    expect(new Set(got.output)).toEqual(new Set([0]));
    const varied = await runCamMap(device, seededF32(240, 3, 0, 1), weights, shape, 'channel');
    expect(Math.min(...varied.output)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...varied.output)).toBeLessThanOrEqual(1);
    expect(Math.max(...varied.output)).toBeGreaterThan(0.999999); // the final normalisation reaches 1
    expect(Math.min(...varied.output)).toBe(0);
  });

  gpuTest('ReLU: an all-negative weighted sum gives a zero map', async ({ device }) => {
    const shape = { images: 1, height: 3, width: 3, channels: 2, outHeight: 6, outWidth: 6 };
    const got = await runCamMap(device, seededF32(18, 9, 0.1, 1), Float32Array.from([-1, -2]), shape, 'channel');
    expect(Array.from(got.map)).toEqual(new Array(9).fill(0));
    expect(Array.from(got.peaks)).toEqual([0]);
  });

  // A model fault (NaN or Inf activations or gradients, or a sum that overflows f32) must reach the
  // host: the peak is NaN, while a finite image in the same call keeps its exact results.
  gpuTest.for(['channel', 'elementwise', 'elementwise-relu'] as const)(
    '%s: a NaN, an Inf or an overflowing sum gives a NaN peak; a finite image is unchanged',
    async (weighting, { device }) => {
      const shape = { images: 4, height: 3, width: 5, channels: 4, outHeight: 9, outWidth: 7 };
      const per = 15 * 4;
      const act = seededF32(4 * per, 5, 0, 1);
      const wCount = weighting === 'channel' ? 16 : act.length;
      const weights = seededF32(wCount, 6, -0.5, 1);
      act[per + 7] = Number.NaN; // image 1: a NaN activation
      act[2 * per + 30] = Number.POSITIVE_INFINITY; // image 2: an Inf activation
      // image 3: finite operands whose product overflows f32 (channel weights), or a NaN gradient
      // under a finite activation (elementwise: LayerCAM's ReLU of the gradient must not hide it).
      if (weighting === 'channel') {
        act[3 * per + 9] = 3e38;
        weights[3 * 4 + 1] = 1e3;
      } else weights[3 * per + 11] = Number.NaN;
      const clean = act.slice(0, per);
      const cleanWeights = weighting === 'channel' ? weights.slice(0, 4) : weights.slice(0, per);
      for (const final of [true, false]) {
        const got = await runCamMap(device, act, weights, shape, weighting, final);
        const want = camMapRef(act, weights, shape, weighting, final);
        expect(Array.from(want.peaks.subarray(1)), 'reference').toEqual([Number.NaN, Number.NaN, Number.NaN]);
        expect(got.peaks).toBeAllClose(want.peaks, camMap.tolerance); // NaN matches NaN only
        const alone = await runCamMap(device, clean, cleanWeights, { ...shape, images: 1 }, weighting, final);
        expect(got.map.subarray(0, 15)).toEqual(alone.map);
        expect(got.output.subarray(0, 63)).toEqual(alone.output);
        expect(got.peaks[0]).toBe(alone.peaks[0]);
      }
      expect(liveBufferCount(device)).toBe(0);
    },
  );
});
