// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { gpuTest, seededF32 } from '@webxai/testing';
import { dispatchSize, runKernel } from '../runtime/kernel.js';
import { InvalidOptionError } from '../runtime/errors.js';
import { createBuffer, liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { affineSample } from './affine-sample.kernel.js';
import { affineSamplePadded, affineSamplePaddedFor } from './affine-sample-padded.kernel.js';
import { affineSamplePaddedRef, padPixels } from './affine-sample-padded.ref.js';
import { affineSampleAdjoint } from './affine-sample-adjoint.kernel.js';
import { affineSampleAdjointRef, affineSampleRef, type AffineSampleShape } from './affine-sample.ref.js';
import { affineFourierAdjoint, affineFourierAdjointFor, affineFourierAdjointInterleaved } from './affine-fourier-adjoint.kernel.js';
import { affineFourierAdjointRef } from './affine-fourier-adjoint.ref.js';
import { fourierImageParams, pixelStride, type FourierImageShape } from '../fft/fft-plan.js';
import { planarComplexRows } from '../fft/fft.ref.js';

/** affine-sample's output; `kernel` affineSamplePadded takes `src` padded (padPixels). */
async function forward(
  device: GPUDevice,
  src: Float32Array<ArrayBuffer>,
  transforms: Float32Array<ArrayBuffer>,
  shape: AffineSampleShape,
  fill: number,
  kernel: typeof affineSample = affineSample,
) {
  const count = shape.images * shape.outHeight * shape.outWidth * shape.channels;
  const [s, t, o] = [
    uploadBuffer(device, src, 'src'),
    uploadBuffer(device, transforms, 'transforms'),
    createBuffer(device, Math.max(16, count * 4), 'output'),
  ];
  await runKernel(device, kernel, { params: { ...shape, fill }, src: s, transforms: t, output: o });
  const out = await readFloat32(device, o, count);
  [s, t, o].forEach((b) => releaseBuffer(device, b));
  return out;
}

async function adjoint(
  device: GPUDevice,
  grad: Float32Array<ArrayBuffer>,
  transforms: Float32Array<ArrayBuffer>,
  shape: AffineSampleShape,
) {
  const count = shape.images * shape.srcHeight * shape.srcWidth * shape.channels;
  const [g, t, o] = [
    uploadBuffer(device, grad, 'grad'),
    uploadBuffer(device, transforms, 'transforms'),
    createBuffer(device, Math.max(16, count * 4), 'gradSrc'),
  ];
  await runKernel(device, affineSampleAdjoint, { params: shape, grad: g, transforms: t, gradSrc: o });
  const out = await readFloat32(device, o, count);
  [g, t, o].forEach((b) => releaseBuffer(device, b));
  return out;
}

/** Rotation by `degrees` and zoom `scale` about the centres, plus a shift, from output to source pixels. */
function similarity(shape: AffineSampleShape, degrees: number, scale: number, shift: [number, number]): number[] {
  const [cos, sin] = [Math.cos((degrees * Math.PI) / 180), Math.sin((degrees * Math.PI) / 180)];
  const [rx, ry] = [shape.srcWidth / shape.outWidth / scale, shape.srcHeight / shape.outHeight / scale];
  const [a, b, c, d] = [cos * rx, -sin * ry, sin * rx, cos * ry];
  const [ox, oy, sx, sy] = [(shape.outWidth - 1) / 2, (shape.outHeight - 1) / 2, (shape.srcWidth - 1) / 2, (shape.srcHeight - 1) / 2];
  return [a, b, sx - a * ox - b * oy + shift[0], c, d, sy - c * ox - d * oy + shift[1]];
}

const CASES: (AffineSampleShape & { why: string; degrees: number; scale: number })[] = [
  { images: 1, srcHeight: 1, srcWidth: 1, outHeight: 1, outWidth: 1, channels: 1, degrees: 0, scale: 1, why: 'one pixel' },
  {
    images: 1,
    srcHeight: 5,
    srcWidth: 4,
    outHeight: 3,
    outWidth: 7,
    channels: 2,
    degrees: 7,
    scale: 1.1,
    why: 'less than a workgroup, resize',
  },
  {
    images: 3,
    srcHeight: 17,
    srcWidth: 19,
    outHeight: 23,
    outWidth: 21,
    channels: 3,
    degrees: -10,
    scale: 0.9,
    why: 'ragged last workgroup, 3 images',
  },
  {
    images: 4,
    srcHeight: 128,
    srcWidth: 128,
    outHeight: 128,
    outWidth: 128,
    channels: 3,
    degrees: 9,
    scale: 1.05,
    why: 'feature visualisation at 128',
  },
  { images: 2, srcHeight: 64, srcWidth: 64, outHeight: 224, outWidth: 224, channels: 3, degrees: -3, scale: 1, why: '64 -> 224 upsample' },
  { images: 1, srcHeight: 5, srcWidth: 4, outHeight: 3, outWidth: 7, channels: 2, degrees: 7, scale: 1.1, why: 'resize, 2 channels' },
  {
    images: 3,
    srcHeight: 17,
    srcWidth: 19,
    outHeight: 23,
    outWidth: 21,
    channels: 5,
    degrees: -10,
    scale: 0.9,
    why: '5 channels (two chunks)',
  },
  {
    images: 2,
    srcHeight: 20,
    srcWidth: 18,
    outHeight: 20,
    outWidth: 18,
    channels: 3,
    degrees: 90,
    scale: 1,
    why: 'a quarter turn (zero x slope)',
  },
  {
    images: 2,
    srcHeight: 16,
    srcWidth: 16,
    outHeight: 16,
    outWidth: 16,
    channels: 1,
    degrees: 0,
    scale: 1,
    why: 'axis-aligned (zero y slope)',
  },
  {
    images: 1,
    srcHeight: 96,
    srcWidth: 80,
    outHeight: 24,
    outWidth: 20,
    channels: 3,
    degrees: 33,
    scale: 0.7,
    why: 'downsample, 33 degrees',
  },
];

describe('affine-sample and its adjoint', () => {
  gpuTest.for(CASES)('match their references: $why', async ({ why: _, degrees, scale, ...shape }, { device }) => {
    const src = seededF32(shape.images * shape.srcHeight * shape.srcWidth * shape.channels, shape.srcWidth, -1, 1);
    const grad = seededF32(shape.images * shape.outHeight * shape.outWidth * shape.channels, shape.outWidth + 1, -1, 1);
    // Each image its own map (the per-image offset into transforms is exercised).
    const transforms = Float32Array.from(
      Array.from({ length: shape.images }, (_, n) => similarity(shape, degrees * (1 + n / 4), scale, [n * 1.5 - 1, 0.75 - n])).flat(),
    );
    expect(await forward(device, src, transforms, shape, 0.5)).toBeAllClose(
      affineSampleRef(src, transforms, shape, 0.5),
      affineSample.tolerance,
    );
    expect(await adjoint(device, grad, transforms, shape)).toBeAllClose(
      affineSampleAdjointRef(grad, transforms, shape),
      affineSampleAdjoint.tolerance,
    );
    expect(liveBufferCount(device)).toBe(0);
  });

  gpuTest.for(CASES.filter((c) => c.channels <= 4))(
    'affine-sample-padded (channels from the uniform or a constant) matches its reference and affine-sample bit for bit: $why',
    async ({ why: _, degrees, scale, ...shape }, { device }) => {
      const src = seededF32(shape.images * shape.srcHeight * shape.srcWidth * shape.channels, shape.srcWidth, -1, 1);
      const transforms = Float32Array.from(
        Array.from({ length: shape.images }, (_, n) => similarity(shape, degrees * (1 + n / 4), scale, [n * 1.5 - 1, 0.75 - n])).flat(),
      );
      const padded = padPixels(src, shape.channels, Number.NaN); // the padding must never reach the output
      const out = await forward(device, padded, transforms, shape, 0.5, affineSamplePadded);
      expect(out).toBeAllClose(affineSamplePaddedRef(padded, transforms, shape, 0.5), affineSamplePadded.tolerance);
      expect(Array.from(out)).toEqual(Array.from(await forward(device, src, transforms, shape, 0.5)));
      // The channels as a pipeline constant (affineSamplePaddedFor): the same bits.
      const constant = await forward(device, padded, transforms, shape, 0.5, affineSamplePaddedFor(shape.channels));
      expect(Array.from(constant)).toEqual(Array.from(out));
      expect(liveBufferCount(device)).toBe(0);
    },
  );

  it('affine-sample-padded dispatches a workgroup row per output row and image, and refuses more than a grid dimension holds', () => {
    const args = (outHeight: number, images: number) =>
      ({ params: { images, srcHeight: 1, srcWidth: 1, outHeight, outWidth: 300, channels: 3, fill: 0 } }) as never;
    expect(dispatchSize(affineSamplePadded, args(7, 3))).toEqual([3, 7, 3]);
    expect(() => dispatchSize(affineSamplePadded, args(65_536, 1))).toThrow(InvalidOptionError);
    expect(() => dispatchSize(affineSamplePadded, args(65_536, 1))).toThrow(/65536 output rows per image.*use a smaller image/);
    expect(() => dispatchSize(affineSamplePadded, args(2, 70_000))).toThrow(/70000 images in one call.*pass fewer images/);
  });

  gpuTest('the identity map copies the image; a shift by whole pixels moves it and fills the border', async ({ device }) => {
    const shape = { images: 1, srcHeight: 6, srcWidth: 5, outHeight: 6, outWidth: 5, channels: 3 };
    const src = seededF32(90, 4, 0, 1);
    expect(Array.from(await forward(device, src, Float32Array.from([1, 0, 0, 0, 1, 0]), shape, 9))).toEqual(Array.from(src));
    const shifted = await forward(device, src, Float32Array.from([1, 0, 2, 0, 1, 0]), shape, 9); // out(x) = src(x + 2)
    for (let y = 0; y < 6; y++) {
      for (let x = 0; x < 5; x++) {
        for (let c = 0; c < 3; c++) expect(shifted[(y * 5 + x) * 3 + c]).toBe(x + 2 < 5 ? src[(y * 5 + x + 2) * 3 + c] : 9);
      }
    }
  });

  gpuTest('the adjoint is the transpose on the GPU: <A x, g> = <x, A^T g> (fill 0)', async ({ device }) => {
    const shape = { images: 2, srcHeight: 31, srcWidth: 29, outHeight: 40, outWidth: 36, channels: 3 };
    const x = seededF32(2 * 31 * 29 * 3, 8, -1, 1);
    const g = seededF32(2 * 40 * 36 * 3, 9, -1, 1);
    const transforms = Float32Array.from([...similarity(shape, 13, 0.85, [2.3, -1.1]), ...similarity(shape, -8, 1.2, [-0.4, 0.6])]);
    const ax = await forward(device, x, transforms, shape, 0);
    const atg = await adjoint(device, g, transforms, shape);
    const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, v, i) => s + v * b[i]!, 0);
    const [left, right] = [dot(ax, g), dot(x, atg)];
    expect(Math.abs(left - right)).toBeLessThan(1e-4 * Math.max(1, Math.abs(left)));
  });

  gpuTest(
    'the adjoint of a whole-pixel shift is exact: each source pixel gets the one output gradient that reads it',
    async ({ device }) => {
      const shape = { images: 1, srcHeight: 6, srcWidth: 5, outHeight: 6, outWidth: 5, channels: 3 };
      const grad = seededF32(90, 4, 0, 1);
      const out = await adjoint(device, grad, Float32Array.from([1, 0, 2, 0, 1, -1]), shape); // out(x, y) = src(x + 2, y - 1)
      for (let y = 0; y < 6; y++) {
        for (let x = 0; x < 5; x++) {
          const [ox, oy] = [x - 2, y + 1];
          for (let c = 0; c < 3; c++) {
            const expected = ox >= 0 && oy < 6 ? grad[(oy * 5 + ox) * 3 + c] : 0;
            expect(out[(y * 5 + x) * 3 + c]).toBe(expected);
          }
        }
      }
    },
  );
});

/** Lucid's colour mix normalised (as visualizeFeature uses it); channels 1: [1]. */
const MIX = [0.26, 0.27, 0.27, 0.09, 0, -0.09, 0.02, -0.05, 0.03].map((m) => m / 0.4479);

const FUSED_CASES: (AffineSampleShape & { why: string; degrees: number; scale: number })[] = [
  { images: 1, srcHeight: 5, srcWidth: 7, outHeight: 6, outWidth: 4, channels: 1, degrees: 13, scale: 1.1, why: '1 channel, odd rows' },
  { images: 3, srcHeight: 5, srcWidth: 6, outHeight: 7, outWidth: 9, channels: 3, degrees: -10, scale: 0.9, why: '3 images, odd rows' },
  { images: 2, srcHeight: 17, srcWidth: 19, outHeight: 23, outWidth: 21, channels: 3, degrees: 90, scale: 1, why: 'quarter turn, resize' },
  { images: 4, srcHeight: 128, srcWidth: 128, outHeight: 128, outWidth: 128, channels: 3, degrees: 9, scale: 1.05, why: 'at 128' },
  { images: 1, srcHeight: 64, srcWidth: 64, outHeight: 224, outWidth: 224, channels: 3, degrees: -3, scale: 1, why: '64 -> 224' },
  { images: 2, srcHeight: 6, srcWidth: 7, outHeight: 5, outWidth: 8, channels: 3, degrees: 20, scale: 0.95, why: 'even rows, odd columns' },
  { images: 3, srcHeight: 4, srcWidth: 5, outHeight: 6, outWidth: 6, channels: 1, degrees: -25, scale: 1.2, why: '1 channel, even rows' },
  { images: 2, srcHeight: 8, srcWidth: 6, outHeight: 7, outWidth: 9, channels: 1, degrees: 5, scale: 1, why: '1 channel, even sizes' },
  // 131 blocks per row: three workgroups of a block row, the last one's invocations past it idle.
  {
    images: 2,
    srcHeight: 6,
    srcWidth: 261,
    outHeight: 8,
    outWidth: 250,
    channels: 3,
    degrees: 4,
    scale: 1,
    why: 'block rows of 3 workgroups',
  },
];

const FUSED_LAYOUT_CASES = FUSED_CASES.flatMap((c) => [
  { ...c, layout: 'packed' as const },
  ...(c.channels === 3 ? [{ ...c, layout: 'padded' as const }] : []),
]);

describe('affine-fourier-adjoint (affine-sample-adjoint fused with fourier-image-adjoint)', () => {
  it('dispatches a workgroup row per row of 2 x 2 blocks and image, and refuses more than a grid dimension holds', () => {
    const args = (height: number, images: number) => ({ params: { images, height, width: 261 } }) as never;
    for (const kernel of [affineFourierAdjoint, affineFourierAdjointInterleaved]) {
      expect(dispatchSize(kernel, args(7, 3))).toEqual([3, 4, 3]); // 131 blocks per row, 4 block rows
      expect(() => dispatchSize(kernel, args(131_072, 1))).toThrow(InvalidOptionError);
      expect(() => dispatchSize(kernel, args(131_072, 1))).toThrow(/65536 rows of 2 x 2 blocks per image/);
      expect(() => dispatchSize(kernel, args(2, 70_000))).toThrow(/70000 images in one call.*pass fewer images/);
    }
  });

  gpuTest.for(FUSED_LAYOUT_CASES)(
    'matches its reference (its interleaved twin too at even heights, and both with the shape as constants, bit for bit): $why, $layout image',
    async ({ why: _, degrees, scale, layout, ...shape }, { device }) => {
      const { images, srcHeight: height, srcWidth: width, outHeight, outWidth, channels } = shape;
      const mix = channels === 3 ? MIX : [1];
      const fourier: FourierImageShape = { images, channels: channels as 1 | 3, height, width, factor: 0.8, mix };
      const grad = seededF32(images * outHeight * outWidth * channels, outWidth + 3, -1, 1);
      const image = seededF32(images * height * width * channels, width + 5, 0, 1);
      const transforms = Float32Array.from(
        Array.from({ length: images }, (_, n) => similarity(shape, degrees * (1 + n / 4), scale, [n * 1.5 - 1, 0.75 - n])).flat(),
      );
      const pairsLength = Math.ceil((images * channels * height) / 2) * 2 * width;
      const buffers = [
        uploadBuffer(device, grad, 'grad'),
        uploadBuffer(device, transforms, 'transforms'),
        uploadBuffer(device, layout === 'padded' ? padPixels(image, channels, Number.NaN) : image, 'image'),
        uploadBuffer(device, new Float32Array(pairsLength).fill(7), 'pairs'), // stale values: every one must be written
      ] as const;
      const run = async (kernel: typeof affineFourierAdjoint) => {
        device.queue.writeBuffer(buffers[3], 0, new Float32Array(pairsLength).fill(7));
        await runKernel(device, kernel, {
          params: fourierImageParams(fourier),
          view: { outHeight, outWidth, imageStride: pixelStride(layout, channels) },
          grad: buffers[0],
          transforms: buffers[1],
          image: buffers[2],
          pairs: buffers[3],
        });
        return readFloat32(device, buffers[3], pairsLength);
      };
      const bits = (values: Float32Array) => new Uint32Array(values.buffer);
      const planar = await run(affineFourierAdjoint);
      const expected = affineFourierAdjointRef(grad, transforms, image, fourier, { outHeight, outWidth });
      expect(planar).toBeAllClose(expected, affineFourierAdjoint.tolerance);
      // The channels and the sizes' evenness as pipeline constants (affineFourierAdjointFor): the same bits.
      expect(bits(await run(affineFourierAdjointFor(fourier)))).toEqual(bits(planar));
      if (height % 2 === 0) {
        // The interleaved twin (even heights): the same values, bit for bit, as [rows / 2, width] complex.
        const rows = async (kernel: typeof affineFourierAdjoint) =>
          Float32Array.from(planarComplexRows(await run(kernel), pairsLength / (2 * width), width));
        const interleaved = await rows(affineFourierAdjointInterleaved);
        expect(interleaved).toBeAllClose(expected, affineFourierAdjointInterleaved.tolerance);
        expect(bits(interleaved)).toEqual(bits(planar));
        expect(bits(await rows(affineFourierAdjointFor(fourier, 'interleaved')))).toEqual(bits(planar));
      }
      buffers.forEach((b) => releaseBuffer(device, b));
      expect(liveBufferCount(device)).toBe(0);
    },
  );
});
