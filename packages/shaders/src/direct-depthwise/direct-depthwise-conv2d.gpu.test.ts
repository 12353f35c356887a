// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { gpuTest, seededF32 } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { createBuffer, liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import type { DirectConvGeometry } from '../direct-conv/direct-conv2d.ref.js';
import { directDepthwiseConv2d, directDepthwiseConv2dInvocations } from './direct-depthwise-conv2d.kernel.js';
import {
  directDepthwiseConv2dBackpropInput,
  directDepthwiseConv2dBackpropInputInvocations,
} from './direct-depthwise-conv2d-backprop-input.kernel.js';
import { depthwiseGeometry, directDepthwiseConv2dBackpropInputRef, directDepthwiseConv2dRef } from './direct-depthwise-conv2d.ref.js';

interface DepthwiseCase {
  readonly input: [number, number, number, number];
  readonly window: [number, number];
  readonly strides: [number, number];
  readonly padding: 'same' | 'valid' | [number, number, number, number];
  readonly why: string;
}

const CASES: readonly DepthwiseCase[] = [
  { input: [1, 1, 1, 1], window: [1, 1], strides: [1, 1], padding: 'valid', why: 'one element' },
  { input: [1, 5, 5, 4], window: [3, 3], strides: [1, 1], padding: 'same', why: 'padding on every side' },
  { input: [2, 7, 9, 3], window: [3, 3], strides: [2, 2], padding: 'same', why: 'stride 2, batch 2, 3 channels' },
  { input: [2, 8, 6, 6], window: [2, 3], strides: [1, 2], padding: 'valid', why: 'non-square window, mixed strides' },
  { input: [1, 6, 5, 5], window: [3, 3], strides: [1, 1], padding: [1, 0, 2, 1], why: 'explicit uneven pads, 5 channels' },
  { input: [3, 9, 7, 7], window: [4, 4], strides: [3, 2], padding: 'same', why: 'even window, stride 3, odd sizes' },
  { input: [1, 14, 14, 96], window: [3, 3], strides: [2, 2], padding: 'same', why: 'MobileNetV2 stride-2 block' },
  { input: [2, 7, 10, 7], window: [3, 3], strides: [1, 1], padding: 'valid', why: '3-wide stride-1 path, valid, batch 2' },
  { input: [1, 9, 6, 10], window: [2, 3], strides: [2, 1], padding: 'same', why: '3-wide stride-1 path, row stride 2' },
  { input: [2, 12, 11, 33], window: [5, 5], strides: [1, 1], padding: 'same', why: '5x5 window, 33 channels' },
];

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Runs `kernel` on uploaded `source` and `weights`, returns the `outCount` values it wrote. */
async function runOnGpu(
  device: GPUDevice,
  kind: 'forward' | 'backprop-input',
  source: Float32Array<ArrayBuffer>,
  weights: Float32Array<ArrayBuffer>,
  g: DirectConvGeometry,
): Promise<Float32Array> {
  const outCount = kind === 'forward' ? g.batch * g.outHeight * g.outWidth * g.inChannels : g.batch * g.inHeight * g.inWidth * g.inChannels;
  const inputs = [uploadBuffer(device, source, 'source'), uploadBuffer(device, weights, 'weights')] as const;
  const out = createBuffer(device, outCount * 4, 'out');
  const { batch: _batch, ...shape } = g;
  if (kind === 'forward') {
    const params = { count: directDepthwiseConv2dInvocations(g), ...shape };
    await runKernel(device, directDepthwiseConv2d, { params, x: inputs[0], weights: inputs[1], y: out });
  } else {
    const params = { count: directDepthwiseConv2dBackpropInputInvocations(g), ...shape };
    await runKernel(device, directDepthwiseConv2dBackpropInput, { params, dy: inputs[0], weights: inputs[1], dx: out });
  }
  const values = await readFloat32(device, out, outCount);
  [...inputs, out].forEach((b) => releaseBuffer(device, b));
  return values;
}

const geometryOf = (c: DepthwiseCase) => depthwiseGeometry(c.input, [...c.window, c.input[3], 1], c.strides, c.padding);

describe('direct-depthwise-conv2d', () => {
  gpuTest.for(CASES)('matches directDepthwiseConv2dRef: $input * $window /$strides $padding ($why)', async (c, { device }) => {
    const g = geometryOf(c);
    const x = seededF32(size(c.input), 1);
    const weights = seededF32(size(c.window) * g.inChannels, 2);
    const got = await runOnGpu(device, 'forward', x, weights, g);
    expect(got).toBeAllClose(directDepthwiseConv2dRef(x, weights, g), directDepthwiseConv2d.tolerance);
    expect(liveBufferCount(device)).toBe(0);
  });

  gpuTest('an infinite input cell reaches only the outputs whose window holds it', async ({ device }) => {
    // 1x5 image, 2 channels, the last cell of channel 1 infinite; 1x1 window: only output 4 sees it.
    const g = depthwiseGeometry([1, 1, 5, 2], [1, 1, 2, 1], [1, 1], 'valid');
    const x = Float32Array.from([1, 1, 2, 2, 3, 3, 4, 4, 5, Infinity]);
    const out = await runOnGpu(device, 'forward', x, Float32Array.from([2, 3]), g);
    expect(Array.from(out)).toEqual([2, 3, 4, 6, 6, 9, 8, 12, 10, Infinity]);
  });
});

describe('direct-depthwise-conv2d-backprop-input', () => {
  gpuTest.for(CASES)('matches directDepthwiseConv2dBackpropInputRef: $input * $window /$strides $padding ($why)', async (c, { device }) => {
    const g = geometryOf(c);
    const dy = seededF32(g.batch * g.outHeight * g.outWidth * g.inChannels, 6);
    const weights = seededF32(size(c.window) * g.inChannels, 7);
    const got = await runOnGpu(device, 'backprop-input', dy, weights, g);
    expect(got).toBeAllClose(directDepthwiseConv2dBackpropInputRef(dy, weights, g), directDepthwiseConv2dBackpropInput.tolerance);
    expect(liveBufferCount(device)).toBe(0);
  });
});

describe('directDepthwiseConv2dRef', () => {
  it('convolves each channel with its own window only', () => {
    // 1x3 image, 2 channels; windows [1, 10] on channel 0 and [100, 1000] on channel 1, valid.
    const g = depthwiseGeometry([1, 1, 3, 2], [1, 2, 2, 1], [1, 1], 'valid');
    const x = [1, 2, 3, 4, 5, 6];
    const y = directDepthwiseConv2dRef(x, [1, 100, 10, 1000], g);
    expect(Array.from(y)).toEqual([1 + 30, 200 + 4000, 3 + 50, 400 + 6000]);
    expect(g).toMatchObject({ outWidth: 2, outChannels: 2 });
  });
});
