// SPDX-License-Identifier: Apache-2.0
// The FFT kernels' parity checks, runnable on any device: the Node parity test (Dawn + lavapipe) and
// the browser one (Chromium's SwiftShader) both run these, so the two platforms check the same cases
// against the same f64 references. Each check makes and releases its own buffers and returns what
// the kernels computed beside the reference and the tolerance between them. The caller brings the
// seeded generator (the library does not depend on the test fixtures).
import { recordKernels } from '../runtime/batch.js';
import { createBuffer, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { runKernel, type Tolerance } from '../runtime/kernel.js';
import { fftStage, fftStageKernel, fftTolerance, PLAIN_FFT_MODES } from './fft-stage.kernel.js';
import {
  fftRadices,
  fftTwiddles,
  fourierScratchFloats,
  recordFft,
  recordFourierImage,
  recordFourierImageAdjoint,
  type FftRun,
  type FftSequences,
  type FourierImageBuffers,
  type FourierImageShape,
} from './fft-plan.js';
import {
  dftRef,
  fftStageRef,
  fourierImageAdjointRef,
  fourierImageRef,
  inverseRealDft2dAdjointRef,
  inverseRealDft2dRef,
} from './fft.ref.js';

/** `length` seeded uniform floats in [lo, hi), e.g. @webxai/testing's seededF32. */
export type SeededF32 = (length: number, seed: number, lo: number, hi: number) => Float32Array<ArrayBuffer>;

/** What a kernel computed, its f64 reference and the tolerance the comparison allows. */
export interface Parity {
  readonly actual: Float32Array;
  readonly expected: ArrayLike<number>;
  readonly tolerance: Tolerance;
}

/**
 * Lengths of the whole-FFT check: every radix and plan shape: 2 .. 16 alone, 8 x 4, 8 x 8, 16 x 8,
 * 16 x 16, 8 x 8 x 8, with 3, 5, 7 and odd lengths; 7 after every power-of-two radix (14, 28, 56, 112,
 * 224, 448; radix 14 = 2 x 7 where it saves a stage: 14, 224, 98 = 14 x 7) and 7 x 7 x 7 (343).
 */
export const FFT_PARITY_LENGTHS: readonly number[] = [
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 15, 16, 21, 25, 27, 28, 32, 35, 48, 49, 56, 63, 64, 96, 98, 105, 112, 128, 224, 256, 343, 448, 512,
];

/** Lengths whose stages are each checked alone: every odd-prime butterfly and radix 14 at several spans. */
export const FFT_STAGE_PARITY_LENGTHS: readonly number[] = [7, 14, 15, 35, 56, 63, 98, 224, 343];

/** [images, channels, h, w] of the Fourier parametrisation's check: odd and even sizes, up to the models' 224. */
export const FOURIER_PARITY_SHAPES: readonly (readonly [number, 1 | 3, number, number])[] = [
  [1, 1, 5, 7],
  [2, 3, 6, 8],
  [1, 3, 12, 10],
  [1, 1, 7, 5],
  [2, 3, 14, 56],
  [1, 3, 128, 128],
  [1, 3, 224, 224],
];

/** Columns of a real row's half spectrum. */
export const halfOf = (w: number) => Math.floor(w / 2) + 1;

/** A buffer of `floats` f32 (at least 16 bytes). */
export const scratchBuffer = (device: GPUDevice, floats: number, label: string) => createBuffer(device, Math.max(16, floats * 4), label);

/** Lucid's colour mix normalised (any 3 x 3 matrix would do; this is the one used). */
const MIX = [0.26, 0.27, 0.27, 0.09, 0, -0.09, 0.02, -0.05, 0.03].map((m) => m / 0.4479);

/** The Fourier parametrisation's shape as visualizeFeature sets it (its scale factor and colour mix). */
export function fourierParityShape(images: number, channels: 1 | 3, height: number, width: number): FourierImageShape {
  return { images, channels, height, width, factor: 0.25 / Math.sqrt(height * width), mix: channels === 3 ? MIX : [1] };
}

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

/** A stage uniform's dst strides for a planar output (the source's). */
const planarOutput = ({ outerStride, elemStride }: FftSequences) => ({ dstOuterStride: outerStride, dstElemStride: elemStride });

/** How a two-stage plan runs (FftRun's fields): one fft-pair dispatch by default. */
export type FftFusion = Pick<FftRun, 'fuseStages' | 'fusedIn'>;

/** The three ways of running a two-stage plan, named for the tests: fft-pair, fft-whole, a dispatch per stage. */
export const FFT_FUSIONS: readonly { readonly name: string; readonly fusion: FftFusion }[] = [
  { name: 'fft-pair', fusion: { fuseStages: true } },
  { name: 'fft-whole', fusion: { fuseStages: true, fusedIn: 'invocation' } },
  { name: 'stage by stage', fusion: { fuseStages: false } },
];

/** How the Fourier parametrisation's FFTs run: FftFusion and the scratch buffers' layout (default planar). */
export type FourierFusion = Pick<FourierImageBuffers, 'fuseStages' | 'fusedIn' | 'scratchLayout'>;

/** fft-whole with the scratch between the FFTs held interleaved (one vec2 per complex value): lavapipe's way. */
export const INTERLEAVED_SCRATCH: { readonly name: string; readonly fusion: FourierFusion } = {
  name: 'fft-whole, interleaved scratch',
  fusion: { fuseStages: true, fusedIn: 'invocation', scratchLayout: 'interleaved' },
};

/**
 * Three length-n sequences through the whole FFT (every stage of n's plan; a two-stage plan as
 * `fusion` says, default one fft-pair dispatch) against the plain DFT.
 */
export async function fftParity(device: GPUDevice, seeded: SeededF32, n: number, sign: 1 | -1, fusion: FftFusion = {}): Promise<Parity> {
  const count = 3;
  const data = seeded(count * 2 * n, n * 7 + (sign + 1), -1 / Math.sqrt(n), 1 / Math.sqrt(n));
  const src = uploadBuffer(device, data, 'src');
  const twiddles = uploadBuffer(device, fftTwiddles(n), 'twiddles');
  const scratch = [scratchBuffer(device, data.length, 'a'), scratchBuffer(device, data.length, 'b')] as const;
  try {
    let result: GPUBuffer = src;
    await recordKernels(device, 'fft', (batch) => {
      const sequences = { n, count, inner: 1, outerStride: 2 * n, elemStride: 1, imOffset: n };
      result = recordFft(batch, { sequences, sign, twiddles, scale: twiddles, scaleAt: 'none', src, scratch, ...fusion });
    });
    const actual = await readFloat32(device, result, data.length);
    return { actual, expected: dftRef(data, n, count, sign), tolerance: fftStage.tolerance };
  } finally {
    [src, twiddles, ...scratch].forEach((b) => releaseBuffer(device, b));
  }
}

/** The stages of n's plan: each one's radix and span (the product of the radices before it). */
export function fftStagesOf(n: number): { stage: number; radix: number; span: number }[] {
  const radices = fftRadices(n) ?? [];
  return radices.map((radix, stage) => ({ stage, radix, span: radices.slice(0, stage).reduce((a, b) => a * b, 1) }));
}

/**
 * One stage of n's plan alone against its f64 reference: a wrong butterfly shows as its own radix and
 * span. `firstStage` runs stage 0 with the first-stage descriptor (its twiddles all w^0).
 */
export async function fftStageParity(device: GPUDevice, seeded: SeededF32, n: number, stage: number, firstStage = false): Promise<Parity> {
  const { radix, span } = fftStagesOf(n)[stage]!;
  const [count, sign] = [2, stage % 2 === 0 ? -1 : 1] as const;
  const data = seeded(count * 2 * n, n + 13 * stage, -1 / Math.sqrt(radix), 1 / Math.sqrt(radix));
  const [src, twiddles] = [uploadBuffer(device, data, 'src'), uploadBuffer(device, fftTwiddles(n), 'twiddles')];
  const dst = scratchBuffer(device, data.length, 'dst');
  try {
    const sequences = { n, count, inner: 1, outerStride: 2 * n, elemStride: 1, imOffset: n };
    const kernel = fftStageKernel(radix, PLAIN_FFT_MODES, firstStage);
    await runKernel(device, kernel, {
      params: { ...sequences, span, batchFastest: 0, scaleAt: 0, sign, loadFrom: 0, storeTo: 0, ...NO_FOURIER, ...planarOutput(sequences) },
      src,
      twiddles,
      scale: twiddles,
      dst,
    });
    const actual = await readFloat32(device, dst, data.length);
    return { actual, expected: fftStageRef(data, n, count, radix, span, sign), tolerance: kernel.tolerance };
  } finally {
    [src, twiddles, dst].forEach((b) => releaseBuffer(device, b));
  }
}

/**
 * The Fourier parametrisation's image (recordFourierImage: Hermitian-extended row FFT, column FFT,
 * colour mix and sigmoid in the stages' loads and stores) and its adjoint (recordFourierImageAdjoint)
 * against the plain 2-D inverse real DFT and its adjoint; `fusion` says how two-stage plans run
 * (default: fft-pair) and how the scratch between the FFTs holds the values.
 */
export async function fourierParity(
  device: GPUDevice,
  seeded: SeededF32,
  [images, channels, h, w]: readonly [number, 1 | 3, number, number],
  fusion: FourierFusion = {},
): Promise<{ image: Parity; spectraGradient: Parity }> {
  const shape = fourierParityShape(images, channels, h, w);
  const [W, planes] = [halfOf(w), images * channels];
  const spectraLength = planes * h * 2 * W;
  const pixels = images * h * w * channels;
  const spectra = seeded(spectraLength, h * 31 + w, -1, 1);
  const scaleHalf = seeded(h * W, h + 5 * w, 0.5, 2);
  const scale = new Float32Array(h * 2 * W).map((_, i) => scaleHalf[Math.floor(i / (2 * W)) * W + ((i % (2 * W)) % W)]!);
  const gradient = seeded(pixels, h * 7 + w * 3, -1, 1);
  const buffers = {
    rowTwiddles: uploadBuffer(device, fftTwiddles(w), 'rowTwiddles'),
    columnTwiddles: uploadBuffer(device, fftTwiddles(h), 'columnTwiddles'),
    scale: uploadBuffer(device, scale, 'scale'),
    scratch: [scratchBuffer(device, fourierScratchFloats(shape), 's0'), scratchBuffer(device, fourierScratchFloats(shape), 's1')] as const,
    ...fusion,
  };
  const [spectraBuffer, gradientBuffer] = [uploadBuffer(device, spectra, 'spectra'), uploadBuffer(device, gradient, 'gradient')];
  const [image, spectraGradient] = [scratchBuffer(device, pixels, 'image'), scratchBuffer(device, spectraLength, 'spectraGradient')];
  try {
    await recordKernels(device, 'fourier', (batch) => {
      recordFourierImage(batch, shape, buffers, spectraBuffer, image);
      recordFourierImageAdjoint(batch, shape, buffers, image, gradientBuffer, spectraGradient);
    });
    const imageOut = await readFloat32(device, image, pixels);
    const planesRef = inverseRealDft2dRef(spectra, scale, planes, h, w);
    const planeGradient = unpackRows(fourierImageAdjointRef(imageOut, gradient, shape), planes * h, w);
    return {
      image: { actual: imageOut, expected: fourierImageRef(packRows(planesRef, planes * h, w), shape), tolerance: fftTolerance },
      spectraGradient: {
        actual: await readFloat32(device, spectraGradient, spectraLength),
        expected: inverseRealDft2dAdjointRef(planeGradient, scale, planes, h, w),
        tolerance: fftTolerance,
      },
    };
  } finally {
    const { rowTwiddles, columnTwiddles, scale: scaleBuffer, scratch } = buffers;
    [rowTwiddles, columnTwiddles, scaleBuffer, ...scratch, spectraBuffer, gradientBuffer, image, spectraGradient].forEach((b) =>
      releaseBuffer(device, b),
    );
  }
}
