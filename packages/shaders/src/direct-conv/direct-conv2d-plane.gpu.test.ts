// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { gpuTest, seededF32 } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { createBuffer, liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { directConv2d, type DirectConvActivation } from './direct-conv2d.kernel.js';
import {
  directConv2dBackpropInputPlane,
  directConv2dBackpropInputPlaneFor,
  directConv2dBackpropInputPlaneInvocations,
  directConv2dPlane,
  directConv2dPlaneFor,
  directConv2dPlaneInvocations,
  fitsPlaneKernel,
} from './direct-conv2d-plane.kernel.js';
import { convGeometry, directConv2dBackpropInputRef, directConv2dRef, type DirectConvGeometry } from './direct-conv2d.ref.js';

type Shape = [number, number, number, number];

interface PlaneCase {
  readonly input: Shape;
  readonly filter: Shape;
  readonly strides: [number, number];
  readonly padding: 'same' | 'valid' | [number, number, number, number];
  readonly why: string;
}

const CASES: readonly PlaneCase[] = [
  { input: [1, 7, 7, 32], filter: [5, 5, 32, 64], strides: [1, 1], padding: 'same', why: 'MNIST conv3, 800 terms' },
  { input: [3, 7, 7, 32], filter: [5, 5, 32, 64], strides: [1, 1], padding: 'same', why: 'MNIST conv3, 3 images' },
  {
    input: [2, 9, 7, 5],
    filter: [3, 3, 5, 6],
    strides: [2, 1],
    padding: 'same',
    why: 'row stride 2, odd sizes, channels not multiples of 4',
  },
  { input: [1, 6, 5, 2], filter: [3, 3, 2, 3], strides: [1, 1], padding: [1, 0, 2, 1], why: 'explicit uneven pads' },
  { input: [2, 9, 7, 3], filter: [4, 4, 3, 5], strides: [3, 2], padding: 'valid', why: 'even window, no padding' },
  { input: [1, 8, 8, 4], filter: [3, 3, 4, 7], strides: [1, 1], padding: 'same', why: '64 positions, the largest plane' },
  { input: [1, 2, 3, 2], filter: [5, 5, 2, 3], strides: [1, 1], padding: 'same', why: 'filter larger than the input' },
];

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

async function planeGpu(
  device: GPUDevice,
  x: Float32Array<ArrayBuffer>,
  weights: Float32Array<ArrayBuffer>,
  g: DirectConvGeometry,
  bias: Float32Array<ArrayBuffer> | undefined,
  activation: DirectConvActivation,
): Promise<Float32Array> {
  const count = g.batch * g.outHeight * g.outWidth * g.outChannels;
  const buffers = [uploadBuffer(device, x, 'x'), uploadBuffer(device, weights, 'weights')] as const;
  const biasBuffer = bias ? uploadBuffer(device, bias, 'bias') : undefined;
  const y = createBuffer(device, count * 4, 'y');
  const { batch: _batch, ...shape } = g;
  await runKernel(device, directConv2dPlaneFor(shape, activation, bias !== undefined), {
    params: { count: directConv2dPlaneInvocations(g), ...shape },
    x: buffers[0],
    weights: buffers[1],
    bias: biasBuffer ?? buffers[1],
    y,
  });
  const out = await readFloat32(device, y, count);
  [...buffers, y, ...(biasBuffer ? [biasBuffer] : [])].forEach((b) => releaseBuffer(device, b));
  return out;
}

async function inputGradientGpu(
  device: GPUDevice,
  dy: Float32Array<ArrayBuffer>,
  weights: Float32Array<ArrayBuffer>,
  g: DirectConvGeometry,
): Promise<Float32Array> {
  const count = g.batch * g.inHeight * g.inWidth * g.inChannels;
  const inputs = [uploadBuffer(device, dy, 'dy'), uploadBuffer(device, weights, 'weights')] as const;
  const dx = createBuffer(device, count * 4, 'dx');
  const { batch: _batch, ...shape } = g;
  await runKernel(device, directConv2dBackpropInputPlaneFor(shape), {
    params: { count: directConv2dBackpropInputPlaneInvocations(g), ...shape },
    dy: inputs[0],
    weights: inputs[1],
    dx,
  });
  const out = await readFloat32(device, dx, count);
  [...inputs, dx].forEach((b) => releaseBuffer(device, b));
  return out;
}

/** A corner term count: positions of a 7x7 plane under a 5x5 'same' filter, each with the taps inside the plane. */
const conv3Terms = Array.from({ length: 49 }, (_, p) => {
  const span = (o: number) => Math.min(o + 2, 6) - Math.max(o - 2, 0) + 1;
  return span(Math.floor(p / 7)) * span(p % 7);
}).reduce((a, b) => a + b, 0);

describe('direct-conv2d-backprop-input-plane', () => {
  gpuTest.for(CASES)('matches directConv2dBackpropInputRef: $input * $filter /$strides $padding ($why)', async (c, { device }) => {
    const g = convGeometry(c.input, c.filter, c.strides, c.padding);
    expect(fitsPlaneKernel(g, 'backprop-input')).toBe(true);
    const dy = seededF32(g.batch * g.outHeight * g.outWidth * g.outChannels, 3);
    const weights = seededF32(size(c.filter), 4);
    expect(await inputGradientGpu(device, dy, weights, g)).toBeAllClose(
      directConv2dBackpropInputRef(dy, weights, g),
      directConv2dBackpropInputPlane.tolerance,
    );
    expect(liveBufferCount(device)).toBe(0);
  });

  it('directConv2dBackpropInputPlaneFor: one descriptor per geometry, the geometry in its name; padding taps never written', () => {
    const { batch: _batch, ...g } = convGeometry([1, 7, 7, 32], [5, 5, 32, 64], [1, 1], 'same');
    expect(directConv2dBackpropInputPlaneFor({ ...g })).toBe(directConv2dBackpropInputPlane);
    expect(directConv2dBackpropInputPlane.name).toBe('direct-conv2d-backprop-input-plane-7x7x32-5x5-7x7x64-s1x1-p2x2');
    expect(directConv2dBackpropInputPlane.source.split('\n').filter((line) => line.includes(' * w')).length).toBe(conv3Terms);
    expect(fitsPlaneKernel({ ...g, inHeight: 10 }, 'backprop-input')).toBe(false);
  });
});

describe('direct-conv2d-plane', () => {
  gpuTest.for(CASES)('matches directConv2dRef: $input * $filter /$strides $padding ($why)', async (c, { device }) => {
    const g = convGeometry(c.input, c.filter, c.strides, c.padding);
    expect(fitsPlaneKernel(g)).toBe(true);
    const x = seededF32(size(c.input), 1);
    const weights = seededF32(size(c.filter), 2);
    expect(await planeGpu(device, x, weights, g, undefined, 'linear')).toBeAllClose(
      directConv2dRef(x, weights, g),
      directConv2dPlane.tolerance,
    );
    expect(liveBufferCount(device)).toBe(0);
  });

  gpuTest.for([
    { activation: 'relu', withBias: true },
    { activation: 'relu6', withBias: true },
    { activation: 'linear', withBias: true },
    { activation: 'relu', withBias: false },
  ] as const)('$activation, bias $withBias matches directConv2dRef', async ({ activation, withBias }, { device }) => {
    const g = convGeometry([2, 7, 7, 5], [3, 3, 5, 6], [1, 1], 'same');
    const x = seededF32(2 * 7 * 7 * 5, 3, -3, 3);
    const weights = seededF32(3 * 3 * 5 * 6, 4, -2, 2);
    const bias = withBias ? seededF32(6, 5, -4, 4) : undefined;
    const got = await planeGpu(device, x, weights, g, bias, activation);
    expect(got).toBeAllClose(directConv2dRef(x, weights, g, bias, activation), directConv2d.tolerance);
    // The activation matters on these values: outputs are clipped (or not) on each side.
    expect(got.some((v) => v < 0)).toBe(activation === 'linear');
    if (activation === 'relu6') expect(got.some((v) => v === 6)).toBe(true);
    expect(liveBufferCount(device)).toBe(0);
  });

  gpuTest('an infinite input cell reaches exactly the outputs whose window covers it', async ({ device }) => {
    // 3x3 image, 3x3 window 'valid': one output; then 'same' with the infinity in a corner.
    const g = convGeometry([1, 3, 3, 1], [3, 3, 1, 1], [1, 1], 'same');
    const x = Float32Array.from([Infinity, 1, 1, 1, 1, 1, 1, 1, 1]);
    const out = await planeGpu(device, x, new Float32Array(9).fill(1), g, undefined, 'linear');
    expect(Array.from(out)).toEqual([Infinity, Infinity, 4, Infinity, Infinity, 6, 4, 6, 4]);
  });

  it('fitsPlaneKernel: output planes up to 64 positions, filters of at least 9 taps', () => {
    const g = convGeometry([1, 7, 7, 32], [5, 5, 32, 64], [1, 1], 'same');
    expect(fitsPlaneKernel(g)).toBe(true);
    expect(fitsPlaneKernel({ ...g, outHeight: 10 })).toBe(false); // 70 positions
    expect(fitsPlaneKernel({ ...g, filterHeight: 1, filterWidth: 1 })).toBe(false);
    expect(fitsPlaneKernel({ ...g, filterHeight: 3, filterWidth: 3 })).toBe(true);
  });

  it('directConv2dPlaneFor: one descriptor per geometry and variant, the geometry in its name', () => {
    const { batch: _batch, ...g } = convGeometry([1, 7, 7, 32], [5, 5, 32, 64], [1, 1], 'same');
    expect(directConv2dPlaneFor(g, 'relu', true)).toBe(directConv2dPlaneFor({ ...g }, 'relu', true));
    expect(directConv2dPlaneFor(g, 'relu', true).constants).toEqual({ ACTIVATION: 1, HAS_BIAS: 1 });
    expect(directConv2dPlaneFor(g, 'linear', false).name).toBe(directConv2dPlane.name);
    expect(directConv2dPlaneFor({ ...g, padTop: 1 }, 'linear', false).name).not.toBe(directConv2dPlane.name);
    expect(directConv2dPlane.name).toBe('direct-conv2d-plane-7x7x32-5x5-7x7x64-s1x1-p2x2');
    // Padding taps are never written: the corner output of a 5x5 'same' filter has 9 of its 25.
    expect(directConv2dPlane.source.split('\n').filter((line) => line.includes(' * w')).length).toBe(conv3Terms);
  });
});
