// SPDX-License-Identifier: Apache-2.0
// fft-whole with interleaved complex values (FftRun.srcLayout / interleavedOutput): the plain DFT and
// the Hermitian extension and split within tolerance of their f64 references in the interleaved
// layout (interleaveComplexRows), and bit for bit what the planar kernel computes.
import { describe, expect } from 'vitest';
import { gpuTest, seededF32 } from '@webxai/testing';
import { KernelBatch, recordKernels } from '../runtime/batch.js';
import { liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { fftTolerance, type FftLayouts } from './fft-stage.kernel.js';
import { fftRadices, fftTwiddles, recordFft, type FftRun, type FourierImageShape } from './fft-plan.js';
import { columnDftRef, dftRef, hermitianExtendRef, hermitianSplitRef, interleaveComplexRows, planarComplexRows } from './fft.ref.js';
import { halfOf, scratchBuffer } from './fft-parity.js';

// (An interleaved src into a planar dst: the Hermitian loads below; plain sequences have one set of strides, see recordFft.)
const LAYOUTS: readonly FftLayouts[] = [
  { src: 'planar', dst: 'interleaved' },
  { src: 'interleaved', dst: 'interleaved' },
];

const WHOLE = { fuseStages: true, fusedIn: 'invocation' } as const;

/** A buffer holding `rows` planar complex rows of k values [rows, 2, k] in `layout`. */
function uploadRows(device: GPUDevice, planar: Float32Array<ArrayBuffer>, rows: number, k: number, interleaved: boolean, label: string) {
  return uploadBuffer(device, interleaved ? Float32Array.from(interleaveComplexRows(planar, rows, k)) : planar, label);
}

/** `rows` complex rows of k values read back from `buffer` in `layout`, as planar rows [rows, 2, k]. */
async function readRows(device: GPUDevice, buffer: GPUBuffer, rows: number, k: number, interleaved: boolean) {
  const data = await readFloat32(device, buffer, rows * 2 * k);
  return interleaved ? Float32Array.from(planarComplexRows(data, rows, k)) : data;
}

describe('fft-whole with interleaved src and / or dst: the plain DFT', () => {
  for (const n of [15, 24, 128, 224]) {
    gpuTest(
      `n = ${n} (radices ${fftRadices(n)!.join(' x ')}): each layout equals the DFT, and the planar kernel bit for bit`,
      async ({ device }) => {
        const count = 3;
        const data = seededF32(count * 2 * n, n + 41, -1 / Math.sqrt(n), 1 / Math.sqrt(n));
        const twiddles = uploadBuffer(device, fftTwiddles(n), 'twiddles');
        const planarSequences = { n, count, inner: 1, outerStride: 2 * n, elemStride: 1, imOffset: n };
        const interleavedSequences = { n, count, inner: 1, outerStride: n, elemStride: 1, imOffset: 0 };
        const run = async (layouts: FftLayouts) => {
          const srcInterleaved = layouts.src === 'interleaved';
          const src = uploadRows(device, data, count, n, srcInterleaved, 'src');
          const scratch = [scratchBuffer(device, data.length, 'a'), scratchBuffer(device, data.length, 'b')] as const;
          let result: GPUBuffer = src;
          await recordKernels(device, 'fft layouts', (batch) => {
            result = recordFft(batch, {
              sequences: srcInterleaved ? interleavedSequences : planarSequences,
              srcLayout: layouts.src,
              ...(layouts.dst === 'interleaved' && { interleavedOutput: interleavedSequences }),
              sign: -1,
              twiddles,
              scale: twiddles,
              scaleAt: 'none',
              src,
              scratch,
              ...WHOLE,
            });
          });
          const out = await readRows(device, result, count, n, layouts.dst === 'interleaved');
          [src, ...scratch].forEach((b) => releaseBuffer(device, b));
          return out;
        };
        const planar = await run({ src: 'planar', dst: 'planar' });
        const expected = dftRef(data, n, count, -1);
        for (const layouts of LAYOUTS) {
          const actual = await run(layouts);
          expect(actual, `${layouts.src} -> ${layouts.dst}`).toBeAllClose(expected, fftTolerance);
          expect(new Uint32Array(actual.buffer), `${layouts.src} -> ${layouts.dst}`).toEqual(new Uint32Array(planar.buffer));
        }
        releaseBuffer(device, twiddles);
        expect(liveBufferCount(device)).toBe(0);
      },
    );
  }
});

/** [planes, h, w, seed] with two-stage plans on both axes: odd and even row counts, widths with and without a Nyquist column. */
const SIZES: [number, number, number, number][] = [
  [2, 6, 10, 1],
  [1, 9, 15, 2],
  [3, 12, 24, 3],
];

describe('fft-whole reading interleaved half spectra (Hermitian extension) and row pairs (Hermitian split)', () => {
  for (const [planes, h, w, seed] of SIZES) {
    gpuTest(`${planes} planes of ${h} rows, width ${w}: the references, and the planar kernel bit for bit`, async ({ device }) => {
      const [W, rows, pairs] = [halfOf(w), planes * h, Math.ceil((planes * h) / 2)];
      const fourier: FourierImageShape = { images: planes, channels: 1, height: h, width: w, factor: 1, mix: [1] };
      const half = seededF32(rows * 2 * W, seed, -1, 1);
      const pairsIn = seededF32(pairs * 2 * w, seed + 100, -1, 1);
      const [rowTwiddles, columnTwiddles] = [uploadBuffer(device, fftTwiddles(w), 'rows'), uploadBuffer(device, fftTwiddles(h), 'columns')];
      const floats = Math.max(pairs * 2 * w, rows * 2 * W);
      const run = async (interleaved: boolean) => {
        const [halfBuffer, pairsBuffer] = [
          uploadRows(device, half, rows, W, interleaved, 'half'),
          uploadRows(device, pairsIn, pairs, w, interleaved, 'pairs'),
        ];
        const scratch = [scratchBuffer(device, floats, 's0'), scratchBuffer(device, floats, 's1')] as const;
        const [extended, split] = [scratchBuffer(device, pairs * 2 * w, 'extended'), scratchBuffer(device, rows * 2 * W, 'split')];
        const srcLayout = interleaved ? 'interleaved' : 'planar';
        await recordKernels(device, 'hermitian loads', (batch) => {
          const common = { srcLayout, scaleAt: 'none', scratch, fourier, ...WHOLE } as const;
          recordFft(batch, {
            ...common,
            sequences: { n: w, count: pairs, inner: 1, outerStride: 2 * w, elemStride: 1, imOffset: w },
            sign: 1,
            twiddles: rowTwiddles,
            scale: rowTwiddles,
            src: halfBuffer,
            dst: extended,
            loadFrom: 'hermitian-extend',
          });
          recordFft(batch, {
            ...common,
            sequences: { n: h, count: planes * W, inner: W, outerStride: h * 2 * W, elemStride: 2 * W, imOffset: W },
            sign: -1,
            twiddles: columnTwiddles,
            scale: columnTwiddles,
            src: pairsBuffer,
            dst: split,
            loadFrom: 'hermitian-split',
          });
        });
        const out = { extended: await readFloat32(device, extended, pairs * 2 * w), split: await readFloat32(device, split, rows * 2 * W) };
        [halfBuffer, pairsBuffer, ...scratch, extended, split].forEach((b) => releaseBuffer(device, b));
        return out;
      };
      const [planar, interleaved] = [await run(false), await run(true)];
      expect(interleaved.extended).toBeAllClose(dftRef(hermitianExtendRef(half, rows, w), w, pairs, 1), fftTolerance);
      expect(interleaved.split).toBeAllClose(columnDftRef(hermitianSplitRef(pairsIn, rows, w), planes, h, W, -1), fftTolerance);
      expect(new Uint32Array(interleaved.extended.buffer)).toEqual(new Uint32Array(planar.extended.buffer));
      expect(new Uint32Array(interleaved.split.buffer)).toEqual(new Uint32Array(planar.split.buffer));
      [rowTwiddles, columnTwiddles].forEach((b) => releaseBuffer(device, b));
      expect(liveBufferCount(device)).toBe(0);
    });
  }
});

describe('interleaved layouts outside fft-whole', () => {
  gpuTest('are rejected with a message naming the cause: other kernels, the colour mix, the scale, the image', ({ device }) => {
    const buffer = scratchBuffer(device, 2 * 128, 'b');
    const fourier: FourierImageShape = { images: 1, channels: 1, height: 2, width: 128, factor: 1, mix: [1] };
    const base = { sign: 1, twiddles: buffer, scale: buffer, src: buffer, scratch: [buffer, buffer], scaleAt: 'none' } as const;
    const sequences = { n: 128, count: 1, inner: 1, outerStride: 256, elemStride: 1, imOffset: 128 };
    const strides = { outerStride: 128, elemStride: 1 };
    const record = (run: Partial<FftRun>) => () => recordFft(new KernelBatch(device, 'bad'), { ...base, sequences, ...run });
    expect(record({ srcLayout: 'interleaved', fuseStages: true })).toThrow(/needs a two-stage plan run by fft-whole/);
    expect(record({ interleavedOutput: strides, fuseStages: false, fusedIn: 'invocation' })).toThrow(/needs a two-stage plan/);
    expect(record({ srcLayout: 'interleaved', sequences: { ...sequences, n: 16 }, ...WHOLE })).toThrow(/needs a two-stage plan/);
    expect(record({ srcLayout: 'interleaved', loadFrom: 'colour-mix', fourier, ...WHOLE })).toThrow(/loadFrom 'colour-mix'/);
    expect(record({ srcLayout: 'interleaved', scaleAt: 'load', ...WHOLE })).toThrow(/scaleAt 'load'/);
    expect(record({ srcLayout: 'interleaved', ...WHOLE })).toThrow(/plain sequences need an interleaved output/);
    expect(record({ interleavedOutput: strides, scaleAt: 'store', ...WHOLE })).toThrow(/scaleAt 'store'/);
    expect(record({ interleavedOutput: strides, storeTo: 'sigmoid-image', fourier, ...WHOLE })).toThrow(/storeTo 'sigmoid-image'/);
    expect(record({ srcLayout: 'interleaved', interleavedOutput: strides, ...WHOLE })).not.toThrow();
    releaseBuffer(device, buffer);
  });
});
