// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { gpuTest, seededF32 } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { createBuffer, liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import {
  directConv2d,
  directConv2dFor,
  directConv2dInvocations,
  directConv2dSlide,
  fitsSlideKernel,
  type DirectConvActivation,
} from './direct-conv2d.kernel.js';
import {
  directConv2dBackpropInput,
  directConv2dBackpropInputFor,
  directConv2dBackpropInputInvocations,
  directConv2dBackpropInputNarrow,
  directConv2dBackpropInputSlide,
  directConv2dBackpropInputSlideFor,
} from './direct-conv2d-backprop-input.kernel.js';
import {
  directConv2dBackpropInputPlane,
  directConv2dBackpropInputPlaneFor,
  directConv2dBackpropInputPlaneInvocations,
  directConv2dPlane,
  directConv2dPlaneFor,
  directConv2dPlaneInvocations,
  fitsBandKernel,
  fitsPlaneKernel,
} from './direct-conv2d-plane.kernel.js';
import { convGeometry, directConv2dBackpropInputRef, directConv2dRef, type DirectConvGeometry } from './direct-conv2d.ref.js';

type Shape = [number, number, number, number];

interface ConvCase {
  readonly input: Shape;
  readonly filter: Shape;
  readonly strides: [number, number];
  readonly padding: 'same' | 'valid' | [number, number, number, number];
  readonly why: string;
}

const CASES: readonly ConvCase[] = [
  { input: [1, 1, 1, 1], filter: [1, 1, 1, 1], strides: [1, 1], padding: 'valid', why: 'one element' },
  { input: [1, 5, 5, 1], filter: [3, 3, 1, 4], strides: [1, 1], padding: 'same', why: 'padding on every side' },
  { input: [2, 7, 9, 3], filter: [3, 3, 3, 5], strides: [2, 2], padding: 'same', why: 'stride 2, channels not multiples of 4' },
  { input: [2, 8, 6, 6], filter: [2, 3, 6, 7], strides: [1, 2], padding: 'valid', why: 'non-square window, mixed strides' },
  { input: [1, 6, 5, 2], filter: [3, 3, 2, 3], strides: [1, 1], padding: [1, 0, 2, 1], why: 'explicit uneven pads' },
  { input: [2, 9, 7, 5], filter: [4, 4, 5, 6], strides: [3, 2], padding: 'same', why: 'even window, stride 3, odd sizes' },
  { input: [1, 4, 19, 3], filter: [3, 3, 3, 13], strides: [1, 1], padding: 'same', why: 'partial last 8-column tile and 8-channel group' },
  { input: [1, 3, 9, 2], filter: [1, 3, 2, 4], strides: [1, 1], padding: 'same', why: 'fewer than 8 channels: no upper group' },
  { input: [4, 28, 28, 1], filter: [5, 5, 1, 32], strides: [1, 1], padding: 'same', why: 'MNIST first layer' },
  { input: [2, 14, 14, 32], filter: [5, 5, 32, 64], strides: [1, 1], padding: 'same', why: 'MNIST deeper layer, 800 terms' },
  { input: [2, 7, 10, 5], filter: [2, 4, 5, 11], strides: [2, 1], padding: 'same', why: 'row stride 2, column stride 1, even width 4' },
  { input: [1, 5, 12, 3], filter: [3, 2, 3, 9], strides: [1, 1], padding: [0, 2, 1, 0], why: 'filter 2 wide, uneven explicit pads' },
  { input: [1, 9, 11, 2], filter: [1, 7, 2, 3], strides: [1, 1], padding: 'same', why: 'filter 7 wide: wider than the sliding window' },
];

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Runs forward `kernel` (params.count `count`) on x, weights and bias; reads y back, releases every buffer. */
async function runConv(
  device: GPUDevice,
  x: Float32Array<ArrayBuffer>,
  weights: Float32Array<ArrayBuffer>,
  g: DirectConvGeometry,
  bias: Float32Array<ArrayBuffer> | undefined,
  kernel: typeof directConv2d,
  count: number,
): Promise<Float32Array> {
  const length = g.batch * g.outHeight * g.outWidth * g.outChannels;
  const buffers = [uploadBuffer(device, x, 'x'), uploadBuffer(device, weights, 'weights')] as const;
  const biasBuffer = bias ? uploadBuffer(device, bias, 'bias') : undefined;
  const y = createBuffer(device, length * 4, 'y');
  const { batch: _batch, ...shape } = g;
  await runKernel(device, kernel, { params: { count, ...shape }, x: buffers[0], weights: buffers[1], bias: biasBuffer ?? buffers[1], y });
  const out = await readFloat32(device, y, length);
  [...buffers, y, ...(biasBuffer ? [biasBuffer] : [])].forEach((b) => releaseBuffer(device, b));
  return out;
}

/** The 8 x 8 or slide kernel directConv2dFor picks. */
const convGpu = (
  device: GPUDevice,
  x: Float32Array<ArrayBuffer>,
  weights: Float32Array<ArrayBuffer>,
  g: DirectConvGeometry,
  bias: Float32Array<ArrayBuffer> | undefined,
  activation: DirectConvActivation,
  slide: boolean,
) => runConv(device, x, weights, g, bias, directConv2dFor(g, activation, bias !== undefined, { slide }), directConv2dInvocations(g));

/** Runs input-gradient `kernel` (params.count `count`, by default its block's) on dy and weights; reads dx back, releases every buffer. */
async function backpropInputGpu(
  device: GPUDevice,
  dy: Float32Array<ArrayBuffer>,
  weights: Float32Array<ArrayBuffer>,
  g: DirectConvGeometry,
  kernel: typeof directConv2dBackpropInput,
  count = directConv2dBackpropInputInvocations(g, kernel),
): Promise<Float32Array> {
  const length = g.batch * g.inHeight * g.inWidth * g.inChannels;
  const inputs = [uploadBuffer(device, dy, 'dy'), uploadBuffer(device, weights, 'weights')] as const;
  const dx = createBuffer(device, length * 4, 'dx');
  const { batch: _batch, ...shape } = g;
  await runKernel(device, kernel, { params: { count, ...shape }, dy: inputs[0], weights: inputs[1], dx });
  const out = await readFloat32(device, dx, length);
  [...inputs, dx].forEach((b) => releaseBuffer(device, b));
  return out;
}

/** Whether the slide kernel takes case `c` (the generic kernel takes them all). */
const slides = (c: ConvCase) => fitsSlideKernel(convGeometry(c.input, c.filter, c.strides, c.padding));

describe('direct-conv2d (generic and slide)', () => {
  const cases = CASES.flatMap((c) => [false, ...(slides(c) ? [true] : [])].map((slide) => ({ ...c, slide })));
  gpuTest.for(cases)(
    'slide $slide matches directConv2dRef: $input * $filter /$strides $padding ($why)',
    async ({ slide, ...c }, { device }) => {
      const g = convGeometry(c.input, c.filter, c.strides, c.padding);
      const x = seededF32(size(c.input), 1);
      const weights = seededF32(size(c.filter), 2);
      const kernel = directConv2dFor(g, 'linear', false, { slide });
      expect(kernel.name).toBe(slide ? directConv2dSlide.name : directConv2d.name);
      expect(await convGpu(device, x, weights, g, undefined, 'linear', slide)).toBeAllClose(
        directConv2dRef(x, weights, g),
        kernel.tolerance,
      );
      expect(liveBufferCount(device)).toBe(0);
    },
  );

  const slideOrNot = <T extends object>(variants: readonly T[]) => [false, true].flatMap((slide) => variants.map((v) => ({ ...v, slide })));

  gpuTest.for(slideOrNot([{ activation: 'relu' }, { activation: 'relu6' }] as const))(
    'bias + $activation matches directConv2dRef (slide $slide)',
    async ({ activation, slide }, { device }) => {
      const g = convGeometry([2, 9, 7, 5], [3, 3, 5, 6], [2, 1], 'same');
      const x = seededF32(2 * 9 * 7 * 5, 3, -3, 3);
      const weights = seededF32(3 * 3 * 5 * 6, 4, -2, 2);
      const bias = seededF32(6, 5, -4, 4);
      const got = await convGpu(device, x, weights, g, bias, activation, slide);
      expect(got).toBeAllClose(directConv2dRef(x, weights, g, bias, activation), directConv2d.tolerance);
      // The activation matters on these values: some outputs are clipped on each side.
      expect(got.some((v) => v === 0)).toBe(true);
      if (activation === 'relu6') expect(got.some((v) => v === 6)).toBe(true);
      expect(got.some((v) => v > 0 && v < 6)).toBe(true);
    },
  );

  // The other two override-constant variants: a bias with no activation, an activation with no bias.
  gpuTest.for(
    slideOrNot([
      { activation: 'linear', withBias: true },
      { activation: 'relu', withBias: false },
    ] as const),
  )('$activation, bias $withBias matches directConv2dRef (slide $slide)', async ({ activation, withBias, slide }, { device }) => {
    const g = convGeometry([1, 6, 5, 3], [3, 3, 3, 8], [1, 1], 'same');
    const x = seededF32(6 * 5 * 3, 6, -3, 3);
    const weights = seededF32(3 * 3 * 3 * 8, 7, -2, 2);
    const bias = withBias ? seededF32(8, 8, -4, 4) : undefined;
    const got = await convGpu(device, x, weights, g, bias, activation, slide);
    expect(got).toBeAllClose(directConv2dRef(x, weights, g, bias, activation), directConv2d.tolerance);
    expect(got.some((v) => v < 0)).toBe(activation === 'linear');
    expect(liveBufferCount(device)).toBe(0);
  });

  it('directConv2dFor: with slide, the slide kernel for column stride 1 and filters 1 to 5 wide; one descriptor per variant', () => {
    const slide = { slide: true };
    const g3 = { strideWidth: 1, filterWidth: 3 };
    expect(directConv2dFor(g3, 'relu', true, slide)).toBe(directConv2dFor(g3, 'relu', true, slide));
    expect(directConv2dFor(g3, 'relu6', false, slide).constants).toEqual({ ACTIVATION: 2, HAS_BIAS: 0, FILTER_WIDTH: 3 });
    expect(directConv2dFor(g3, 'relu6', false, { slide: false }).constants).toEqual({ ACTIVATION: 2, HAS_BIAS: 0 });
    expect(directConv2dFor({ strideWidth: 2, filterWidth: 3 }, 'relu6', false, slide).constants).toEqual({ ACTIVATION: 2, HAS_BIAS: 0 });
    const names = [1, 2, 5, 6, 7].map((filterWidth) => directConv2dFor({ strideWidth: 1, filterWidth }, 'linear', false, slide).name);
    expect(names).toEqual([...Array<string>(3).fill(directConv2dSlide.name), directConv2d.name, directConv2d.name]);
    const variants = [
      directConv2dFor(g3, 'relu', true, slide),
      directConv2dFor(g3, 'relu', false, slide),
      directConv2dFor(g3, 'linear', true, slide),
      directConv2dFor({ strideWidth: 1, filterWidth: 5 }, 'relu', true, slide),
      directConv2dFor(g3, 'relu', true, { slide: false }),
    ];
    expect(new Set(variants.map((k) => `${k.name} ${JSON.stringify(k.constants)}`)).size).toBe(5);
  });

  gpuTest.for([false, true])(
    'a padded input cell holding infinity next to the edge never reaches a valid output lane (slide %s)',
    async (slide, { device }) => {
      // 1x5 image whose last cell is infinite, 1x1 window: only output 4 sees it (clamped lanes read it too).
      const g = convGeometry([1, 1, 5, 1], [1, 1, 1, 1], [1, 1], 'valid');
      const out = await convGpu(device, Float32Array.from([1, 2, 3, 4, Infinity]), Float32Array.from([2]), g, undefined, 'linear', slide);
      expect(Array.from(out)).toEqual([2, 4, 6, 8, Infinity]);
      const padded = convGeometry([1, 1, 2, 1], [1, 3, 1, 1], [1, 1], 'same');
      const paddedOut = await convGpu(
        device,
        Float32Array.from([1, 2]),
        Float32Array.from([1, 10, 100]),
        padded,
        undefined,
        'linear',
        slide,
      );
      expect(Array.from(paddedOut)).toEqual([210, 21]);
    },
  );
});

describe('direct-conv2d-backprop-input (8 x 8, narrow and slide)', () => {
  const kernelCases = CASES.flatMap((c) => {
    const g = convGeometry(c.input, c.filter, c.strides, c.padding);
    // The slide kernel without its blocks' upper 4 channels serves up to 4 input channels.
    const uppers = slides(c) ? [true, ...(g.inChannels <= 4 ? [false] : [])] : [];
    const slide = uppers.map((upper) => directConv2dBackpropInputSlideFor(g.filterWidth, upper));
    // ... and with channel 0 alone, one input channel.
    if (slides(c) && g.inChannels === 1) slide.push(directConv2dBackpropInputSlideFor(g.filterWidth, false, true));
    return [directConv2dBackpropInput, directConv2dBackpropInputNarrow, ...slide].map((kernel) => ({ ...c, kernel }));
  });
  gpuTest.for(kernelCases)(
    '$kernel.name $kernel.constants matches directConv2dBackpropInputRef: $input * $filter /$strides $padding ($why)',
    async ({ kernel, ...c }, { device }) => {
      const g = convGeometry(c.input, c.filter, c.strides, c.padding);
      const dy = seededF32(g.batch * g.outHeight * g.outWidth * g.outChannels, 6);
      const weights = seededF32(size(c.filter), 7);
      const got = await backpropInputGpu(device, dy, weights, g, kernel);
      expect(got).toBeAllClose(directConv2dBackpropInputRef(dy, weights, g), kernel.tolerance);
      expect(liveBufferCount(device)).toBe(0);
    },
  );

  gpuTest.for(CASES.filter((c) => slides(c) && c.input[3] === 1 && size(c.input) > 1))(
    "one input channel: channel 0 alone gives the four-lane kernel's bits: $input * $filter ($why)",
    async (c, { device }) => {
      const g = convGeometry(c.input, c.filter, c.strides, c.padding);
      const dy = seededF32(g.batch * g.outHeight * g.outWidth * g.outChannels, 8);
      const weights = seededF32(size(c.filter), 9);
      const [four, one] = await Promise.all(
        [false, true].map((single) =>
          backpropInputGpu(device, dy, weights, g, directConv2dBackpropInputSlideFor(g.filterWidth, false, single)),
        ),
      );
      expect(Array.from(new Uint32Array(one!.buffer))).toEqual(Array.from(new Uint32Array(four!.buffer)));
      expect(new Set(one).size).toBeGreaterThan(1);
    },
  );

  it('directConv2dBackpropInputFor: with slide, the slide kernel for column stride 1 and filters up to 5 wide (lower channels only up to 4 of them, channel 0 alone for 1); else narrow up to 4 input channels, else 8 x 8', () => {
    const pick = (inChannels: number, strideWidth: number, filterWidth: number, slide = true) =>
      directConv2dBackpropInputFor({ inChannels, strideWidth, filterWidth }, { slide });
    expect([pick(1, 1, 3), pick(4, 1, 3), pick(5, 1, 3), pick(32, 1, 5)].map((k) => [k.name, k.constants])).toEqual([
      [directConv2dBackpropInputSlide.name, { FILTER_WIDTH: 3, UPPER_CHANNELS: 0, SINGLE_CHANNEL: 1 }],
      [directConv2dBackpropInputSlide.name, { FILTER_WIDTH: 3, UPPER_CHANNELS: 0 }],
      [directConv2dBackpropInputSlide.name, { FILTER_WIDTH: 3, UPPER_CHANNELS: 1 }],
      [directConv2dBackpropInputSlide.name, { FILTER_WIDTH: 5, UPPER_CHANNELS: 1 }],
    ]);
    expect(pick(32, 1, 5)).toBe(pick(16, 1, 5));
    expect([pick(1, 1, 3, false), pick(3, 2, 3), pick(4, 1, 7)]).toEqual(Array(3).fill(directConv2dBackpropInputNarrow));
    expect([pick(5, 1, 3, false), pick(32, 2, 3), pick(32, 1, 6)]).toEqual(Array(3).fill(directConv2dBackpropInput));
  });
});

describe('convGeometry (TensorFlow padding rules)', () => {
  it('same, valid and explicit pads', () => {
    expect(convGeometry([1, 28, 28, 1], [5, 5, 1, 8], [1, 1], 'same')).toMatchObject({
      outHeight: 28,
      outWidth: 28,
      padTop: 2,
      padLeft: 2,
    });
    expect(convGeometry([1, 7, 9, 1], [3, 3, 1, 1], [2, 2], 'same')).toMatchObject({ outHeight: 4, outWidth: 5, padTop: 1, padLeft: 1 });
    expect(convGeometry([1, 8, 8, 1], [2, 2, 1, 1], [2, 2], 'same')).toMatchObject({ outHeight: 4, outWidth: 4, padTop: 0, padLeft: 0 });
    expect(convGeometry([1, 7, 9, 1], [3, 3, 1, 1], [2, 2], 'valid')).toMatchObject({ outHeight: 3, outWidth: 4, padTop: 0, padLeft: 0 });
    expect(convGeometry([1, 6, 5, 1], [3, 3, 1, 1], [1, 1], [1, 0, 2, 1])).toMatchObject({
      outHeight: 5,
      outWidth: 6,
      padTop: 1,
      padLeft: 2,
    });
  });
});

/** Convolutions with small result planes, forward and input gradient (the plane kernels). */
const PLANE_CASES: readonly ConvCase[] = [
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

/** A corner term count: positions of a 7x7 plane under a 5x5 'same' filter, each with the taps inside the plane. */
const conv3Terms = Array.from({ length: 49 }, (_, p) => {
  const span = (o: number) => Math.min(o + 2, 6) - Math.max(o - 2, 0) + 1;
  return span(Math.floor(p / 7)) * span(p % 7);
}).reduce((a, b) => a + b, 0);

describe('direct-conv2d-backprop-input-plane', () => {
  gpuTest.for(PLANE_CASES)('matches directConv2dBackpropInputRef: $input * $filter /$strides $padding ($why)', async (c, { device }) => {
    const g = convGeometry(c.input, c.filter, c.strides, c.padding);
    expect(fitsPlaneKernel(g, 'backprop-input')).toBe(true);
    const dy = seededF32(g.batch * g.outHeight * g.outWidth * g.outChannels, 3);
    const weights = seededF32(size(c.filter), 4);
    expect(
      await backpropInputGpu(device, dy, weights, g, directConv2dBackpropInputPlaneFor(g), directConv2dBackpropInputPlaneInvocations(g)),
    ).toBeAllClose(directConv2dBackpropInputRef(dy, weights, g), directConv2dBackpropInputPlane.tolerance);
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
  gpuTest.for(PLANE_CASES)('matches directConv2dRef: $input * $filter /$strides $padding ($why)', async (c, { device }) => {
    const g = convGeometry(c.input, c.filter, c.strides, c.padding);
    expect(fitsPlaneKernel(g)).toBe(true);
    const x = seededF32(size(c.input), 1);
    const weights = seededF32(size(c.filter), 2);
    expect(
      await runConv(device, x, weights, g, undefined, directConv2dPlaneFor(g, 'linear', false), directConv2dPlaneInvocations(g)),
    ).toBeAllClose(directConv2dRef(x, weights, g), directConv2dPlane.tolerance);
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
    const got = await runConv(
      device,
      x,
      weights,
      g,
      bias,
      directConv2dPlaneFor(g, activation, bias !== undefined),
      directConv2dPlaneInvocations(g),
    );
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
    const out = await runConv(
      device,
      x,
      new Float32Array(9).fill(1),
      g,
      undefined,
      directConv2dPlaneFor(g, 'linear', false),
      directConv2dPlaneInvocations(g),
    );
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

/** Convolutions with column stride 1 whose result planes are too large for the plane kernels: the band kernels. */
const BAND_CASES: readonly ConvCase[] = [
  {
    input: [1, 14, 14, 16],
    filter: [3, 3, 16, 32],
    strides: [1, 1],
    padding: 'same',
    why: 'MNIST conv2: bands of 4 rows, the last one half empty',
  },
  { input: [2, 14, 14, 16], filter: [3, 3, 16, 32], strides: [1, 1], padding: 'same', why: 'MNIST conv2, 2 images' },
  { input: [1, 11, 9, 3], filter: [5, 5, 3, 4], strides: [1, 1], padding: 'same', why: '5 x 5 filter, bands of 7 rows' },
  { input: [1, 13, 10, 2], filter: [3, 4, 2, 3], strides: [1, 1], padding: [2, 0, 1, 2], why: 'uneven explicit pads, even filter width' },
  { input: [1, 12, 12, 3], filter: [3, 3, 3, 5], strides: [1, 1], padding: 'valid', why: 'no padding' },
  { input: [1, 16, 8, 2], filter: [3, 3, 2, 3], strides: [1, 1], padding: 'same', why: 'height a multiple of the band' },
];

describe('direct-conv2d-band and direct-conv2d-backprop-input-band', () => {
  gpuTest.for(BAND_CASES)('forward and input gradient match the references: $input * $filter $padding ($why)', async (c, { device }) => {
    const g = convGeometry(c.input, c.filter, c.strides, c.padding);
    expect([fitsBandKernel(g), fitsBandKernel(g, 'backprop-input')]).toEqual([true, true]);
    const x = seededF32(size(c.input), 1, -3, 3);
    const weights = seededF32(size(c.filter), 2);
    const bias = seededF32(c.filter[3], 5, -2, 2);
    const forward = directConv2dPlaneFor(g, 'relu', true);
    expect(forward.name).toMatch(/^direct-conv2d-band-/);
    expect(await runConv(device, x, weights, g, bias, forward, directConv2dPlaneInvocations(g))).toBeAllClose(
      directConv2dRef(x, weights, g, bias, 'relu'),
      forward.tolerance,
    );
    const dy = seededF32(g.batch * g.outHeight * g.outWidth * g.outChannels, 3);
    const gradient = directConv2dBackpropInputPlaneFor(g);
    expect(gradient.name).toMatch(/^direct-conv2d-backprop-input-band-/);
    expect(await backpropInputGpu(device, dy, weights, g, gradient, directConv2dBackpropInputPlaneInvocations(g))).toBeAllClose(
      directConv2dBackpropInputRef(dy, weights, g),
      gradient.tolerance,
    );
    expect(liveBufferCount(device)).toBe(0);
  });

  it('fitsBandKernel: column and row stride 1, filters of 9 taps and more, results 32 wide at most, where no plane fits', () => {
    const g = convGeometry([1, 14, 14, 16], [3, 3, 16, 32], [1, 1], 'same');
    expect(fitsBandKernel(g)).toBe(true);
    expect(fitsBandKernel({ ...g, strideHeight: 2 })).toBe(false);
    expect(fitsBandKernel({ ...g, filterHeight: 1, filterWidth: 1 })).toBe(false);
    expect(fitsBandKernel({ ...g, outWidth: 33 })).toBe(false);
    expect(fitsBandKernel({ ...g, outHeight: 4 })).toBe(false); // 56 positions: the plane kernel's
  });
});
