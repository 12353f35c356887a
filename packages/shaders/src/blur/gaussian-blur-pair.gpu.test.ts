// SPDX-License-Identifier: Apache-2.0
// gaussian-blur-pair: parity of both passes with the reference, and the same bits as
// gaussian-blur-axis run on each of the two plans alone (what Blur IG's results rest on).
import { describe, expect, it } from 'vitest';
import { gpuTest, seededF32 } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { ShapeMismatchError } from '../runtime/errors.js';
import { createBuffer, liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { gaussianHalfKernel, packBlurPairPlan, packBlurPlan, type BlurPairPlan } from './gaussian-kernel.js';
import { gaussianBlurAxis } from './gaussian-blur-axis.kernel.js';
import { gaussianBlurPair } from './gaussian-blur-pair.kernel.js';
import { gaussianBlurPairRef } from './gaussian-blur-pair.ref.js';

type Shape = [number, number, number];

/** Both passes of the pair kernel on the GPU: the two first-pass outputs and the two results. */
async function blurPair(
  device: GPUDevice,
  input: Float32Array<ArrayBuffer>,
  [height, width, channels]: Shape,
  plan: BlurPairPlan,
  firstPoint: number,
) {
  const packed = packBlurPairPlan(plan);
  const pointCount = plan.sigmas.length - firstPoint;
  const size = pointCount * height * width * channels;
  const bufs = {
    plan: uploadBuffer(device, packed.points, 'plan'),
    weights: uploadBuffer(device, packed.pairWeights, 'pair-weights'),
    input: uploadBuffer(device, input, 'input'),
    middle: createBuffer(device, size * 4, 'middle'),
    middleAhead: createBuffer(device, size * 4, 'middle-ahead'),
    output: createBuffer(device, size * 4, 'output'),
    outputAhead: createBuffer(device, size * 4, 'output-ahead'),
  };
  const params = { height, width, channels, pointCount, firstPoint, stride: packed.stride, aheadOffset: packed.aheadOffset };
  const common = { params, plan: bufs.plan, weights: bufs.weights };
  await runKernel(device, gaussianBlurPair.height, {
    ...common,
    input: bufs.input,
    inputAhead: bufs.input,
    output: bufs.middle,
    outputAhead: bufs.middleAhead,
  });
  await runKernel(device, gaussianBlurPair.width, {
    ...common,
    input: bufs.middle,
    inputAhead: bufs.middleAhead,
    output: bufs.output,
    outputAhead: bufs.outputAhead,
  });
  const read = (b: GPUBuffer) => readFloat32(device, b, size);
  const result = {
    packed,
    middle: [await read(bufs.middle), await read(bufs.middleAhead)] as const,
    output: [await read(bufs.output), await read(bufs.outputAhead)] as const,
  };
  Object.values(bufs).forEach((b) => releaseBuffer(device, b));
  return result;
}

/** gaussian-blur-axis's two passes on the GPU for one plan (the kernel Blur IG ran before the pair). */
async function blurAlone(
  device: GPUDevice,
  input: Float32Array<ArrayBuffer>,
  [height, width, channels]: Shape,
  sourceRows: number[],
  sigmas: number[],
  firstPoint: number,
) {
  const packed = packBlurPlan({ sourceRows, sigmas });
  const size = (sigmas.length - firstPoint) * height * width * channels;
  const bufs = {
    plan: uploadBuffer(device, packed.points, 'plan'),
    weights: uploadBuffer(device, packed.weights, 'weights'),
    input: uploadBuffer(device, input, 'input'),
    middle: createBuffer(device, size * 4, 'middle'),
    output: createBuffer(device, size * 4, 'output'),
  };
  const params = { height, width, channels, pointCount: sigmas.length - firstPoint, firstPoint, stride: packed.stride };
  const common = { params, plan: bufs.plan, weights: bufs.weights };
  await runKernel(device, gaussianBlurAxis.height, { ...common, input: bufs.input, output: bufs.middle });
  await runKernel(device, gaussianBlurAxis.width, { ...common, input: bufs.middle, output: bufs.output });
  const output = await readFloat32(device, bufs.output, size);
  Object.values(bufs).forEach((b) => releaseBuffer(device, b));
  return output;
}

describe('gaussian-blur-pair', () => {
  const CASES = [
    { shape: [1, 1, 1] as Shape, sigmas: [2], ahead: [2.01], firstPoint: 0, why: 'one pixel: every tap but the centre is padding' },
    {
      shape: [9, 7, 3] as Shape,
      sigmas: [0, 1.1, 0.7, 3],
      ahead: [0.01, 1.2, 0.71, 3.05],
      firstPoint: 0,
      why: 'radii differ (1.1 -> 4, 1.2 -> 5: the union loop), sigma 0 and its neighbour',
    },
    {
      shape: [13, 11, 2] as Shape,
      sigmas: [1.5, 4, 0.2, 9, 2.6],
      ahead: [1.51, 4.01, 0.21, 9.01, 2.61],
      firstPoint: 2,
      why: 'a batch from the middle of the plan',
    },
    {
      shape: [28, 28, 1] as Shape,
      sigmas: [0, 1.5625, 25, 50],
      ahead: [0.01, 1.5725, 25.01, 50.01],
      firstPoint: 0,
      why: "MNIST's size, Blur IG's sigmas: radius 200 past the image",
    },
    {
      shape: [6, 5, 1] as Shape,
      sigmas: [0.2, 0.4, 2],
      ahead: [0.21, 0.6, 2.5],
      firstPoint: 0,
      why: 'runs of 4 outputs: partial last runs (6 = 4 + 2, 5 = 4 + 1), kernels narrower than a run (radius 1 and 2)',
    },
    {
      shape: [40, 33, 3] as Shape,
      sigmas: [5, 0.3, 12.5, 3],
      ahead: [5.5, 0.9, 12.4, 2.5],
      firstPoint: 0,
      why: 'ahead kernels both wider and narrower',
    },
  ];

  gpuTest.for(CASES)(
    'both passes match the reference and gaussian-blur-axis bit for bit: $why',
    async ({ shape, sigmas, ahead, firstPoint }, { device }) => {
      const images = 2;
      const input = seededF32(images * shape[0] * shape[1] * shape[2], 11, -2, 2);
      const sourceRows = sigmas.map((_, i) => (i + 1) % images);
      const r = await blurPair(device, input, shape, { sourceRows, sigmas, aheadSigmas: ahead }, firstPoint);
      const pass = { height: shape[0], width: shape[1], channels: shape[2], pointCount: sigmas.length - firstPoint, firstPoint };
      const wantMiddle = gaussianBlurPairRef(input, input, r.packed, { ...pass, axis: 0, sourceFromPlan: true });
      // The second pass is checked against the reference applied to the GPU's first pass.
      const wantOutput = gaussianBlurPairRef(r.middle[0], r.middle[1], r.packed, { ...pass, axis: 1, sourceFromPlan: false });
      for (const plan of [0, 1]) {
        expect(r.middle[plan]).toBeAllClose(wantMiddle[plan]!, gaussianBlurPair.height.tolerance);
        expect(r.output[plan]).toBeAllClose(wantOutput[plan]!, gaussianBlurPair.width.tolerance);
      }
      expect(Array.from(r.output[0])).toEqual(Array.from(await blurAlone(device, input, shape, sourceRows, sigmas, firstPoint)));
      expect(Array.from(r.output[1])).toEqual(Array.from(await blurAlone(device, input, shape, sourceRows, ahead, firstPoint)));
      expect(liveBufferCount(device)).toBe(0);
    },
  );

  it('a pair plan needs one source row, sigma and ahead sigma per output image', () => {
    expect(() => packBlurPairPlan({ sourceRows: [0, 0, 0], sigmas: [1, 2], aheadSigmas: [1.01, 2.01, 3.01] })).toThrow(ShapeMismatchError);
    expect(() => packBlurPairPlan({ sourceRows: [0], sigmas: [1], aheadSigmas: [] })).toThrow(ShapeMismatchError);
    const packed = packBlurPairPlan({ sourceRows: [1, 0], sigmas: [0, 1], aheadSigmas: [0.01, 1.01] });
    expect(packed.aheadOffset).toBe(2);
    expect(Array.from(packed.points.subarray(0, 8))).toEqual([1, 0, 0, 4, 1, 0, 0, 4]);
    // The GPU's weights: per tap, plan a's then plan b's (f32 of the f64 kernels), zero past a radius.
    const [one, oneAhead] = [gaussianHalfKernel(1), gaussianHalfKernel(1.01)];
    expect(packed.stride).toBe(5);
    expect(Array.from(packed.pairWeights.subarray(0, 4))).toEqual([1, 1, 0, 0]);
    expect(Array.from(packed.pairWeights.subarray(10, 20))).toEqual(
      Array.from(one).flatMap((w, i) => [Math.fround(w), Math.fround(oneAhead[i]!)]),
    );
  });
});
