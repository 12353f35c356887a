// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest, seededF32 } from '@webxai/testing';
import { KernelBatch, recordKernels } from '../runtime/batch.js';
import { createBuffer, liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { runKernel } from '../runtime/kernel.js';
import { fftStage, fftStageKernel, fftTolerance, FFT_STAGE_RADICES } from './fft-stage.kernel.js';
import { fourierImageAdjoint } from './fourier-image.kernel.js';
import {
  fftRadices,
  fftTwiddles,
  fourierScratchFloats,
  recordFft,
  recordFourierImage,
  recordFourierImageAdjoint,
  type FftRun,
  type FourierImageShape,
} from './fft-plan.js';
import {
  dftRef,
  fftStageRef,
  fourierImageAdjointRef,
  fourierImageRef,
  hermitianExtendRef,
  hermitianSplitRef,
  inverseRealDft2dAdjointRef,
  inverseRealDft2dRef,
} from './fft.ref.js';

const halfOf = (w: number) => Math.floor(w / 2) + 1;

/** A buffer of `floats` f32 (at least 16 bytes). */
const scratchBuffer = (device: GPUDevice, floats: number, label: string) => createBuffer(device, Math.max(16, floats * 4), label);

/** Planes [rows, w] packed two rows per pair [ceil(rows / 2), 2, w] (the row FFT's layout). */
function packRows(planes: ArrayLike<number>, rows: number, w: number): Float64Array {
  const out = new Float64Array(Math.ceil(rows / 2) * 2 * w);
  for (let r = 0; r < rows; r++) for (let x = 0; x < w; x++) out[Math.floor(r / 2) * 2 * w + (r % 2) * w + x] = planes[r * w + x]!;
  return out;
}

/** The inverse of {@link packRows}. */
function unpackRows(pairs: ArrayLike<number>, rows: number, w: number): Float64Array {
  const out = new Float64Array(rows * w);
  for (let r = 0; r < rows; r++) for (let x = 0; x < w; x++) out[r * w + x] = pairs[Math.floor(r / 2) * 2 * w + (r % 2) * w + x]!;
  return out;
}

/** A stage uniform's Fourier fields when no Fourier mode is on (the plain loads and stores read none). */
const NO_FOURIER = { rows: 0, width: 0, height: 0, channels: 0, factor: 0, m0: 0, m1: 0, m2: 0, m3: 0, m4: 0, m5: 0, m6: 0, m7: 0, m8: 0 };

describe('fft stages (Stockham, one dispatch per stage)', () => {
  // Every radix and plan shape: 2 .. 16 alone, 8 x 4, 8 x 8, 16 x 8, 16 x 16, 8 x 8 x 8, with 3, 5, 7 and odd
  // lengths; 7 after every power-of-two radix (14, 28, 56, 112, 224, 448; radix 14 = 2 x 7 where it saves a
  // stage: 14, 224, 98 = 14 x 7) and 7 x 7 x 7 (343).
  const LENGTHS = [
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 15, 16, 21, 25, 27, 28, 32, 35, 48, 49, 56, 63, 64, 96, 98, 105, 112, 128, 224, 256, 343, 448,
    512,
  ];
  for (const n of LENGTHS) {
    for (const sign of [1, -1] as const) {
      gpuTest(`n = ${n} (radices ${fftRadices(n)!.join(' x ') || 'none'}), sign ${sign}, equals the plain DFT`, async ({ device }) => {
        const count = 3;
        const data = seededF32(count * 2 * n, n * 7 + (sign + 1), -1 / Math.sqrt(n), 1 / Math.sqrt(n));
        const src = uploadBuffer(device, data, 'src');
        const twiddles = uploadBuffer(device, fftTwiddles(n), 'twiddles');
        const scratch = [scratchBuffer(device, data.length, 'a'), scratchBuffer(device, data.length, 'b')] as const;
        let result: GPUBuffer = src;
        await recordKernels(device, 'fft', (batch) => {
          result = recordFft(batch, {
            sequences: { n, count, inner: 1, outerStride: 2 * n, elemStride: 1, imOffset: n },
            sign,
            twiddles,
            scale: twiddles,
            scaleAt: 'none',
            src,
            scratch,
          });
        });
        const out = await readFloat32(device, result, data.length);
        expect(out).toBeAllClose(dftRef(data, n, count, sign), fftStage.tolerance);
        [src, twiddles, ...scratch].forEach((b) => releaseBuffer(device, b));
        expect(liveBufferCount(device)).toBe(0);
      });
    }
  }

  // Each stage alone against its f64 reference: a wrong butterfly shows as its own radix (and span).
  for (const n of [7, 14, 15, 35, 56, 63, 98, 224, 343]) {
    const radices = fftRadices(n)!;
    radices.forEach((radix, stage) => {
      const span = radices.slice(0, stage).reduce((a, b) => a * b, 1);
      gpuTest(`n = ${n}: stage ${stage} (radix ${radix}, span ${span}) alone equals its reference`, async ({ device }) => {
        const [count, sign] = [2, stage % 2 === 0 ? -1 : 1] as const;
        const data = seededF32(count * 2 * n, n + 13 * stage, -1 / Math.sqrt(radix), 1 / Math.sqrt(radix));
        const [src, twiddles] = [uploadBuffer(device, data, 'src'), uploadBuffer(device, fftTwiddles(n), 'twiddles')];
        const dst = scratchBuffer(device, data.length, 'dst');
        const sequences = { n, count, inner: 1, outerStride: 2 * n, elemStride: 1, imOffset: n };
        await runKernel(device, fftStageKernel(radix), {
          params: { ...sequences, span, batchFastest: 0, scaleAt: 0, sign, loadFrom: 0, storeTo: 0, ...NO_FOURIER },
          src,
          twiddles,
          scale: twiddles,
          dst,
        });
        const out = await readFloat32(device, dst, data.length);
        expect(out).toBeAllClose(fftStageRef(data, n, count, radix, span, sign), fftStageKernel(radix).tolerance);
        [src, twiddles, dst].forEach((b) => releaseBuffer(device, b));
        expect(liveBufferCount(device)).toBe(0);
      });
    });
  }

  gpuTest('a radix without a butterfly is rejected', () => {
    for (const radix of FFT_STAGE_RADICES) expect(() => fftStageKernel(radix)).not.toThrow();
    for (const radix of [1, 6, 9, 11, 32]) expect(() => fftStageKernel(radix)).toThrow(/no butterfly for radix/);
  });

  gpuTest('lengths with a prime factor above 7 have no plan', () => {
    expect([11, 13, 22, 26, 2 * 3 * 5 * 7, 17 * 4].map(fftRadices)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      [3, 5, 14],
      undefined,
    ]);
  });
});

/** The DFT along u of every column v of `rows` [planes, h, 2 W] ([re | im] per row): the column FFT's layout. */
function columnDftRef(data: ArrayLike<number>, planes: number, h: number, W: number, sign: 1 | -1): Float64Array {
  const at = (p: number, u: number, v: number) => (p * h + u) * 2 * W + v;
  const sequences = new Float64Array(planes * W * 2 * h);
  for (let p = 0; p < planes; p++) {
    for (let v = 0; v < W; v++) {
      for (let u = 0; u < h; u++) {
        sequences[(p * W + v) * 2 * h + u] = data[at(p, u, v)]!;
        sequences[(p * W + v) * 2 * h + h + u] = data[at(p, u, v) + W]!;
      }
    }
  }
  const transformed = dftRef(sequences, h, planes * W, sign);
  const out = new Float64Array(planes * h * 2 * W);
  for (let p = 0; p < planes; p++) {
    for (let v = 0; v < W; v++) {
      for (let u = 0; u < h; u++) {
        out[at(p, u, v)] = transformed[(p * W + v) * 2 * h + u]!;
        out[at(p, u, v) + W] = transformed[(p * W + v) * 2 * h + h + u]!;
      }
    }
  }
  return out;
}

const SIZES: [number, number, number, number][] = [
  // [planes, h, w, seed]: odd and even row counts (a lone last row) and widths (a Nyquist column or none)
  [1, 5, 7, 1],
  [2, 3, 8, 2],
  [1, 7, 6, 3],
  [2, 2, 5, 4],
];

describe('first FFT stages reading through the Hermitian extension and split', () => {
  for (const [planes, h, w, seed] of SIZES) {
    gpuTest(`${planes} planes of ${h} rows, width ${w}`, async ({ device }) => {
      const [W, rows] = [halfOf(w), planes * h];
      const fourier: FourierImageShape = { images: planes, channels: 1, height: h, width: w, factor: 1, mix: [1] };
      const pairsLength = Math.ceil(rows / 2) * 2 * w;
      const half = seededF32(rows * 2 * W, seed, -1, 1);
      const pairsIn = seededF32(pairsLength, seed + 100, -1, 1);
      const buffers = [
        uploadBuffer(device, half, 'half'),
        uploadBuffer(device, pairsIn, 'pairs'),
        uploadBuffer(device, fftTwiddles(w), 'rowTwiddles'),
        uploadBuffer(device, fftTwiddles(h), 'columnTwiddles'),
      ] as const;
      const scratch = [0, 1].map((i) => scratchBuffer(device, Math.max(pairsLength, rows * 2 * W), `s${i}`)) as [GPUBuffer, GPUBuffer];
      const [extended, split] = [scratchBuffer(device, pairsLength, 'extended'), scratchBuffer(device, rows * 2 * W, 'split')];
      await recordKernels(device, 'hermitian loads', (batch) => {
        recordFft(batch, {
          sequences: { n: w, count: Math.ceil(rows / 2), inner: 1, outerStride: 2 * w, elemStride: 1, imOffset: w },
          sign: 1,
          twiddles: buffers[2],
          scale: buffers[2],
          scaleAt: 'none',
          src: buffers[0],
          scratch,
          dst: extended,
          loadFrom: 'hermitian-extend',
          fourier,
        });
        recordFft(batch, {
          sequences: { n: h, count: planes * W, inner: W, outerStride: h * 2 * W, elemStride: 2 * W, imOffset: W },
          sign: -1,
          twiddles: buffers[3],
          scale: buffers[3],
          scaleAt: 'none',
          src: buffers[1],
          scratch,
          dst: split,
          loadFrom: 'hermitian-split',
          fourier,
        });
      });
      const extendRef = dftRef(hermitianExtendRef(half, rows, w), w, Math.ceil(rows / 2), 1);
      expect(await readFloat32(device, extended, pairsLength)).toBeAllClose(extendRef, fftTolerance);
      const splitRef = columnDftRef(hermitianSplitRef(pairsIn, rows, w), planes, h, W, -1);
      expect(await readFloat32(device, split, rows * 2 * W)).toBeAllClose(splitRef, fftTolerance);
      [...buffers, ...scratch, extended, split].forEach((b) => releaseBuffer(device, b));
      expect(liveBufferCount(device)).toBe(0);
    });
  }

  gpuTest('Fourier loads and stores need the shape and exclude a scale at the same end', ({ device }) => {
    const buffer = scratchBuffer(device, 64, 'b');
    const base = { sign: 1, twiddles: buffer, scale: buffer, src: buffer, scratch: [buffer, buffer] } as const;
    const sequences = { n: 4, count: 1, inner: 1, outerStride: 8, elemStride: 1, imOffset: 4 };
    const fourier: FourierImageShape = { images: 1, channels: 1, height: 2, width: 4, factor: 1, mix: [1] };
    const record = (run: Partial<FftRun>) => () =>
      recordFft(new KernelBatch(device, 'bad'), { ...base, scaleAt: 'none', sequences, ...run });
    expect(record({ scaleAt: 'load', loadFrom: 'hermitian-extend', fourier })).toThrow(/scaleAt 'load' and loadFrom/);
    expect(record({ scaleAt: 'store', storeTo: 'sigmoid-image', fourier })).toThrow(/scaleAt 'store' and storeTo/);
    expect(record({ loadFrom: 'colour-mix' })).toThrow(/need the parametrisation's shape/);
    expect(record({ scaleAt: 'load', loadFrom: 'colour-mix', fourier })).not.toThrow();
    releaseBuffer(device, buffer);
  });
});

/** Lucid's colour mix normalised (any 3 x 3 matrix would do; this is the one used). */
const MIX = [0.26, 0.27, 0.27, 0.09, 0, -0.09, 0.02, -0.05, 0.03].map((m) => m / 0.4479);

function shapeOf(images: number, channels: 1 | 3, height: number, width: number): FourierImageShape {
  return { images, channels, height, width, factor: 0.25 / Math.sqrt(height * width), mix: channels === 3 ? MIX : [1] };
}

describe('fourier-image-adjoint', () => {
  for (const [images, channels, h, w] of [
    [1, 1, 5, 7],
    [2, 3, 3, 4],
    [1, 3, 5, 6],
  ] as const) {
    gpuTest(`${images} x ${h} x ${w} x ${channels}`, async ({ device }) => {
      const shape = shapeOf(images, channels, h, w);
      const pairsLength = Math.ceil((images * channels * h) / 2) * 2 * w;
      const pixels = images * h * w * channels;
      const image = seededF32(pixels, h + w, 0, 1);
      const gradient = seededF32(pixels, h * 3 + w);
      const inputs = [uploadBuffer(device, image, 'image'), uploadBuffer(device, gradient, 'gradient')];
      const pairsOut = scratchBuffer(device, pairsLength, 'pairsOut');
      await recordKernels(device, 'fourier-image-adjoint', (batch) => {
        batch.dispatch(fourierImageAdjoint, {
          params: { ...shape, ...mixParams(shape.mix) },
          image: inputs[0]!,
          gradient: inputs[1]!,
          pairs: pairsOut,
        });
      });
      expect(await readFloat32(device, pairsOut, pairsLength)).toBeAllClose(
        fourierImageAdjointRef(image, gradient, shape),
        fourierImageAdjoint.tolerance,
      );
      [...inputs, pairsOut].forEach((b) => releaseBuffer(device, b));
      expect(liveBufferCount(device)).toBe(0);
    });
  }
});

function mixParams(mix: readonly number[]) {
  const m = (i: number) => mix[i] ?? 0;
  return { m0: m(0), m1: m(1), m2: m(2), m3: m(3), m4: m(4), m5: m(5), m6: m(6), m7: m(7), m8: m(8) };
}

describe('the Fourier parametrisation: recordFourierImage and its adjoint against the plain 2-D DFT', () => {
  for (const [images, channels, h, w] of [
    [1, 1, 5, 7],
    [2, 3, 6, 8],
    [1, 3, 12, 10],
    [1, 1, 7, 5],
    [2, 3, 14, 56],
    [1, 3, 128, 128],
    [1, 3, 224, 224],
  ] as const) {
    gpuTest(`${images} x ${h} x ${w} x ${channels}`, async ({ device }) => {
      const shape = shapeOf(images, channels, h, w);
      const [W, planes] = [halfOf(w), images * channels];
      const spectraLength = planes * h * 2 * W;
      const pixels = images * h * w * channels;
      const spectra = seededF32(spectraLength, h * 31 + w, -1, 1);
      const scaleHalf = seededF32(h * W, h + 5 * w, 0.5, 2);
      const scale = new Float32Array(h * 2 * W).map((_, i) => scaleHalf[Math.floor(i / (2 * W)) * W + ((i % (2 * W)) % W)]!);
      const gradient = seededF32(pixels, h * 7 + w * 3);
      const buffers = {
        rowTwiddles: uploadBuffer(device, fftTwiddles(w), 'rowTwiddles'),
        columnTwiddles: uploadBuffer(device, fftTwiddles(h), 'columnTwiddles'),
        scale: uploadBuffer(device, scale, 'scale'),
        scratch: [
          scratchBuffer(device, fourierScratchFloats(shape), 's0'),
          scratchBuffer(device, fourierScratchFloats(shape), 's1'),
        ] as const,
      };
      const [spectraBuffer, gradientBuffer] = [uploadBuffer(device, spectra, 'spectra'), uploadBuffer(device, gradient, 'gradient')];
      const [image, spectraGradient] = [scratchBuffer(device, pixels, 'image'), scratchBuffer(device, spectraLength, 'spectraGradient')];
      await recordKernels(device, 'fourier', (batch) => {
        recordFourierImage(batch, shape, buffers, spectraBuffer, image);
        recordFourierImageAdjoint(batch, shape, buffers, image, gradientBuffer, spectraGradient);
      });
      const imageOut = await readFloat32(device, image, pixels);
      const planesRef = inverseRealDft2dRef(spectra, scale, planes, h, w);
      expect(imageOut).toBeAllClose(fourierImageRef(packRows(planesRef, planes * h, w), shape), fftTolerance);
      const planeGradient = unpackRows(fourierImageAdjointRef(imageOut, gradient, shape), planes * h, w);
      const gradientRef = inverseRealDft2dAdjointRef(planeGradient, scale, planes, h, w);
      expect(await readFloat32(device, spectraGradient, spectraLength)).toBeAllClose(gradientRef, fftTolerance);
      [
        buffers.rowTwiddles,
        buffers.columnTwiddles,
        buffers.scale,
        ...buffers.scratch,
        spectraBuffer,
        gradientBuffer,
        image,
        spectraGradient,
      ].forEach((b) => releaseBuffer(device, b));
      expect(liveBufferCount(device)).toBe(0);
    });
  }
});
