// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest, seededF32 } from '@webxai/testing';
import { KernelBatch, recordKernels } from '../runtime/batch.js';
import { liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { fftPairKernel, fftStageKernel, fftTolerance, fftWholeKernel, FFT_STAGE_RADICES, PLAIN_FFT_MODES } from './fft-stage.kernel.js';
import { fourierImageAdjoint } from './fourier-adjoint.kernel.js';
import {
  fftRadices,
  fftTwiddles,
  fourierScratchFloats,
  hasTwoStagePlans,
  recordFft,
  recordFourierImage,
  type FftRun,
  type FourierImageShape,
} from './fft-plan.js';
import { columnDftRef, dftRef, fourierImageAdjointRef, hermitianExtendRef, hermitianSplitRef } from './fft.ref.js';
import { unpadPixels } from '../features/affine-sample-padded.ref.js';
import {
  FFT_FUSIONS,
  FFT_PARITY_LENGTHS,
  FFT_STAGE_PARITY_LENGTHS,
  FOURIER_PARITY_SHAPES,
  INTERLEAVED_SCRATCH,
  fftParity,
  fftStageParity,
  fftStagesOf,
  fourierParity,
  fourierParityShape,
  halfOf,
  scratchBuffer,
} from './fft-parity.js';

/** Every way of running n's plan when it has two stages (FFT_FUSIONS), else the stages (named ''). */
const fusions = (n: number) => (fftRadices(n)!.length === 2 ? FFT_FUSIONS : [{ name: '', fusion: {} }]);

describe('fft stages (Stockham: one dispatch per stage, or fft-pair / fft-whole for two stages)', () => {
  for (const n of FFT_PARITY_LENGTHS) {
    for (const sign of [1, -1] as const) {
      for (const { name: way, fusion } of fusions(n)) {
        const name = `n = ${n} (radices ${fftRadices(n)!.join(' x ') || 'none'}${way ? `, ${way}` : ''}), sign ${sign}, equals the plain DFT`;
        gpuTest(name, async ({ device }) => {
          const { actual, expected, tolerance } = await fftParity(device, seededF32, n, sign, fusion);
          expect(actual).toBeAllClose(expected, tolerance);
          expect(liveBufferCount(device)).toBe(0);
        });
      }
    }
  }

  gpuTest(
    'a two-stage plan is one fft-pair (fft-whole when fusedIn invocation) dispatch unless fuseStages is false; longer plans a dispatch per stage',
    ({ device }) => {
      const buffer = scratchBuffer(device, 2 * 512, 'b');
      const kernels = (n: number, fuseStages: boolean, fusedIn?: FftRun['fusedIn']) => {
        const batch = new KernelBatch(device, 'plans');
        const sequences = { n, count: 1, inner: 1, outerStride: 2 * n, elemStride: 1, imOffset: n };
        recordFft(batch, {
          sequences,
          sign: 1,
          twiddles: buffer,
          scale: buffer,
          scaleAt: 'none',
          src: buffer,
          scratch: [buffer, buffer],
          fuseStages,
          ...(fusedIn ? { fusedIn } : {}),
        });
        return batch.kernelNames;
      };
      expect(kernels(128, true)).toEqual(['fft-pair']);
      expect(kernels(128, true, 'invocation')).toEqual(['fft-whole']);
      expect(kernels(128, false)).toEqual(['fft-stage', 'fft-stage']);
      expect(kernels(128, false, 'invocation')).toEqual(['fft-stage', 'fft-stage']);
      expect(kernels(512, true)).toEqual(['fft-stage', 'fft-stage', 'fft-stage']);
      expect(kernels(512, true, 'invocation')).toEqual(['fft-stage', 'fft-stage', 'fft-stage']);
      expect(kernels(16, true)).toEqual(['fft-stage']);
      expect(() => fftPairKernel(16, 9)).toThrow(/no butterfly for radix 9/);
      expect(() => fftWholeKernel(16, 9)).toThrow(/no butterfly for radix 9/);
      releaseBuffer(device, buffer);
    },
  );

  for (const n of FFT_STAGE_PARITY_LENGTHS) {
    for (const { stage, radix, span } of fftStagesOf(n)) {
      gpuTest(`n = ${n}: stage ${stage} (radix ${radix}, span ${span}) alone equals its reference`, async ({ device }) => {
        const { actual, expected, tolerance } = await fftStageParity(device, seededF32, n, stage);
        expect(actual).toBeAllClose(expected, tolerance);
        expect(liveBufferCount(device)).toBe(0);
      });
    }
  }

  for (const n of FFT_STAGE_PARITY_LENGTHS) {
    const { radix } = fftStagesOf(n)[0]!;
    gpuTest(
      `n = ${n}: the first-stage descriptor (twiddles all w^0) of radix ${radix} equals the general stage bit for bit`,
      async ({ device }) => {
        const first = await fftStageParity(device, seededF32, n, 0, true);
        const general = await fftStageParity(device, seededF32, n, 0, false);
        expect(first.actual).toBeAllClose(first.expected, first.tolerance);
        expect(new Uint32Array(first.actual.buffer)).toEqual(new Uint32Array(general.actual.buffer));
        expect(fftStageKernel(radix, PLAIN_FFT_MODES, true)).not.toBe(fftStageKernel(radix));
        expect(fftStageKernel(radix, PLAIN_FFT_MODES, true).constants).toMatchObject({ FIRST_STAGE: 1 });
        expect(liveBufferCount(device)).toBe(0);
      },
    );
  }

  gpuTest('a radix without a butterfly is rejected', () => {
    for (const radix of FFT_STAGE_RADICES) expect(() => fftStageKernel(radix)).not.toThrow();
    for (const radix of [1, 6, 9, 11, 32]) expect(() => fftStageKernel(radix)).toThrow(/no butterfly for radix/);
  });

  gpuTest("fft-stage's modes are pipeline constants, one descriptor per set; a mode without a path is rejected", () => {
    const colourMix = { loadFrom: 3, storeTo: 0, scaleAt: 1, batchFastest: 1 };
    expect(fftStageKernel(16, colourMix).constants).toEqual({
      RADIX: 16,
      LOAD_FROM: 3,
      STORE_TO: 0,
      SCALE_AT: 1,
      BATCH_FASTEST: 1,
      FIRST_STAGE: 0,
    });
    expect(fftStageKernel(16, { ...colourMix })).toBe(fftStageKernel(16, colourMix));
    expect(fftStageKernel(16, colourMix)).not.toBe(fftStageKernel(16));
    expect(() => fftStageKernel(8, { ...PLAIN_FFT_MODES, loadFrom: 4 })).toThrow(/loadFrom 4 has no path .* 0 \.\. 3/);
    expect(() => fftStageKernel(8, { ...PLAIN_FFT_MODES, scaleAt: -1 })).toThrow(/scaleAt -1/);
    expect(() => fftStageKernel(8, { ...PLAIN_FFT_MODES, batchFastest: 0.5 })).toThrow(/batchFastest 0.5/);
    expect(() => fftStageKernel(8, { ...PLAIN_FFT_MODES, storeTo: 3 })).toThrow(/storeTo 3/);
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

describe('fourier-image-adjoint', () => {
  for (const [images, channels, h, w] of [
    [1, 1, 5, 7],
    [2, 3, 3, 4],
    [1, 3, 5, 6],
  ] as const) {
    gpuTest(`${images} x ${h} x ${w} x ${channels}`, async ({ device }) => {
      const shape = fourierParityShape(images, channels, h, w);
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
  for (const [images, channels, h, w] of FOURIER_PARITY_SHAPES) {
    for (const { name: way, fusion } of [...FFT_FUSIONS, ...(hasTwoStagePlans(h, w) ? [INTERLEAVED_SCRATCH] : [])]) {
      gpuTest(`${images} x ${h} x ${w} x ${channels}, ${way}`, async ({ device }) => {
        const { image, spectraGradient } = await fourierParity(device, seededF32, [images, channels, h, w], fusion);
        expect(image.actual).toBeAllClose(image.expected, image.tolerance);
        expect(spectraGradient.actual).toBeAllClose(spectraGradient.expected, spectraGradient.tolerance);
        expect(liveBufferCount(device)).toBe(0);
      });
    }
    gpuTest(
      `${images} x ${h} x ${w} x ${channels}: fft-whole's image and adjoint${hasTwoStagePlans(h, w) ? ', planar or interleaved scratch,' : ''} equal fft-pair's bit for bit`,
      async ({ device }) => {
        const shape = [images, channels, h, w] as const;
        const pair = await fourierParity(device, seededF32, shape, { fuseStages: true });
        const interleaved = hasTwoStagePlans(h, w) ? [INTERLEAVED_SCRATCH.fusion] : [];
        for (const fusion of [{ fuseStages: true, fusedIn: 'invocation' } as const, ...interleaved]) {
          const whole = await fourierParity(device, seededF32, shape, fusion);
          expect(Array.from(whole.image.actual)).toEqual(Array.from(pair.image.actual));
          expect(Array.from(whole.spectraGradient.actual)).toEqual(Array.from(pair.spectraGradient.actual));
        }
        expect(liveBufferCount(device)).toBe(0);
      },
    );
  }
});

describe('recordFourierImage into the padded layout (4 floats per pixel)', () => {
  for (const [images, channels, h, w] of FOURIER_PARITY_SHAPES.filter(([, c]) => c === 3)) {
    for (const fuseStages of [true, false]) {
      gpuTest(
        `${images} x ${h} x ${w} x ${channels}${fuseStages ? '' : ', stage by stage'}: the packed image's values, bit for bit`,
        async ({ device }) => {
          const shape = fourierParityShape(images, channels, h, w);
          const [W, pixels] = [halfOf(w), images * h * w];
          const spectra = seededF32(images * channels * h * 2 * W, h * 31 + w, -1, 1);
          const scale = seededF32(h * 2 * W, h + 5 * w, 0.5, 2);
          const buffers = {
            rowTwiddles: uploadBuffer(device, fftTwiddles(w), 'rowTwiddles'),
            columnTwiddles: uploadBuffer(device, fftTwiddles(h), 'columnTwiddles'),
            scale: uploadBuffer(device, scale, 'scale'),
            scratch: [
              scratchBuffer(device, fourierScratchFloats(shape), 's0'),
              scratchBuffer(device, fourierScratchFloats(shape), 's1'),
            ] as const,
            fuseStages,
          };
          const spectraBuffer = uploadBuffer(device, spectra, 'spectra');
          const packed = scratchBuffer(device, pixels * channels, 'packed');
          const padded = uploadBuffer(device, new Float32Array(pixels * 4).fill(7), 'padded'); // the 4th floats must stay 7
          await recordKernels(device, 'fourier-layouts', (batch) => {
            recordFourierImage(batch, shape, buffers, spectraBuffer, packed);
            recordFourierImage(batch, shape, buffers, spectraBuffer, padded, 'padded');
          });
          const want = await readFloat32(device, packed, pixels * channels);
          const got = await readFloat32(device, padded, pixels * 4);
          expect(Array.from(unpadPixels(got, channels))).toEqual(Array.from(want));
          expect(got.filter((_, i) => i % 4 === 3).every((v) => v === 7)).toBe(true);
          const { rowTwiddles, columnTwiddles, scale: scaleBuffer, scratch } = buffers;
          [rowTwiddles, columnTwiddles, scaleBuffer, ...scratch, spectraBuffer, packed, padded].forEach((b) => releaseBuffer(device, b));
          expect(liveBufferCount(device)).toBe(0);
        },
      );
    }
  }
});
