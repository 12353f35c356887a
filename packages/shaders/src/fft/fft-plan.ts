// SPDX-License-Identifier: Apache-2.0
// Records the kernels of a batched FFT and of the Fourier parametrisation's inverse real 2-D DFT
// (and its adjoint) into a KernelBatch: a two-stage plan (every length up to 256 with one) in one
// dispatch whose stages meet in workgroup memory (fft-pair), other plans one dispatch per Stockham
// stage ping-ponging between two scratch buffers the caller owns (fft-stage, no barriers). On
// lavapipe a pass over memory costs more than a barrier (session 12: visualizeFeature's four
// 128-point FFTs took 0.76-1.0x, 0.88x in sum, of their two-stage time as pairs; on SwiftShader
// the pair took 1.30-1.43x, 2.7-4x since the stages' modes are pipeline constants (session 15),
// so core's visualizeFeature records stages there). Lengths whose factorisation needs a prime
// above 7 have no plan here (fftRadices returns undefined): callers keep a dense DFT for them.
import type { KernelBatch } from '../runtime/batch.js';
import { InvalidOptionError } from '../runtime/errors.js';
import {
  fftPairKernel,
  fftStageKernel,
  fftWholeKernel,
  MAX_RADIX,
  MAX_STAGE_ELEMENTS,
  type ComplexLayout,
  type FftLayouts,
  type FftModes,
} from './fft-stage.kernel.js';
import { fourierImageAdjoint } from './fourier-adjoint.kernel.js';
import { affineFourierAdjointFor } from '../features/affine-fourier-adjoint.kernel.js';

/**
 * The radices of n's Stockham stages: its power of two in as few stages of 16, 8, 4 or 2 as it
 * takes, split as evenly as possible, largest first (on software adapters a stage costs about the
 * same whatever its radix up to 16, and a radix-2 stage more than a radix-4 one: it runs twice the
 * invocations), then 3, 5, 7 (odd-prime butterflies), one 2 and one 7 merged into a radix-14 stage
 * when that saves a stage (224 = 16 x 14, not 8 x 4 x 7); undefined when n has a prime factor above
 * 7 (or n < 1).
 */
export function fftRadices(n: number): number[] | undefined {
  if (!Number.isInteger(n) || n < 1) return undefined;
  let twos = 0;
  let rest = n;
  for (; rest % 2 === 0; rest /= 2) twos++;
  const odd: number[] = [];
  for (const radix of [3, 5, 7]) {
    for (; rest % radix === 0; rest /= radix) odd.push(radix);
  }
  if (rest !== 1) return undefined;
  const seven = odd.indexOf(7);
  if (seven >= 0 && twos > 0 && powerOfTwoRadices(twos - 1).length < powerOfTwoRadices(twos).length) {
    odd[seven] = 14;
    twos--;
  }
  return [...powerOfTwoRadices(twos), ...odd];
}

/** 2^twos as ceil(twos / 4) radices of 2^floor or 2^ceil(twos / stages), larger first. */
function powerOfTwoRadices(twos: number): number[] {
  const stages = Math.ceil(twos / Math.log2(MAX_RADIX));
  const low = Math.floor(twos / Math.max(stages, 1));
  return Array.from({ length: stages }, (_, i) => 2 ** (i < twos - low * stages ? low + 1 : low));
}

export { fftTwiddles } from './fft-twiddles.js';

/**
 * `count` complex sequences of length `n`, real part of element e of sequence b at
 * (b / inner) * outerStride + (b mod inner) + e * elemStride, imaginary part `imOffset` further.
 */
export interface FftSequences {
  readonly n: number;
  readonly count: number;
  readonly inner: number;
  readonly outerStride: number;
  readonly elemStride: number;
  readonly imOffset: number;
}

/** One batched FFT to record with {@link recordFft}. */
export interface FftRun {
  readonly sequences: FftSequences;
  /** +1: inverse DFT without the 1 / n; -1: forward DFT. */
  readonly sign: 1 | -1;
  /** {@link fftTwiddles} of `sequences.n` on the GPU (fft-whole has the same values as constants and reads none). */
  readonly twiddles: GPUBuffer;
  /** Per-element factors indexed like one outer block, applied on the first load or the last store; always bound. */
  readonly scale: GPUBuffer;
  readonly scaleAt: 'none' | 'load' | 'store';
  readonly src: GPUBuffer;
  /** Two buffers the stages ping-pong between (neither may be `dst`; `src` may be one of them). */
  readonly scratch: readonly [GPUBuffer, GPUBuffer];
  /** Where the last stage writes; default: one of `scratch`. */
  readonly dst?: GPUBuffer;
  /**
   * How the first stage reads `src` (default 'sequences': laid out as `sequences`, scaled per
   * `scaleAt`): through the Hermitian extension of half spectra [rows, 2 W] ('hermitian-extend',
   * the parametrisation's row FFT: sequence k = rows 2k, 2k + 1), the Hermitian split of packed row
   * pairs ('hermitian-split', the adjoint's column FFT) or colour-mixed ('colour-mix', the column FFT
   * over [planes, h, 2 W]; scaled per `scaleAt`); the sizes and mix come from `fourier`
   * (fft-stage.wgsl's load).
   */
  readonly loadFrom?: 'sequences' | 'hermitian-extend' | 'hermitian-split' | 'colour-mix';
  /**
   * Where the last stage writes: 'sequences' (default) or the sigmoid of `fourier.factor` times each
   * plane row into the NHWC image `dst`, packed ('sigmoid-image') or padded to 4 floats per pixel
   * ('sigmoid-image-padded', see {@link ImageLayout}).
   */
  readonly storeTo?: 'sequences' | 'sigmoid-image' | 'sigmoid-image-padded';
  /** The parametrisation's shape, for `loadFrom` and `storeTo` other than 'sequences'. */
  readonly fourier?: FourierImageShape;
  /** false: one dispatch per stage even for a two-stage plan (default true: fft-pair; see the file comment). */
  readonly fuseStages?: boolean;
  /**
   * Where a fused two-stage plan's stages meet: 'workgroup' (default: fft-pair, workgroup memory) or
   * 'invocation' (fft-whole: a sequence per invocation, private memory; the same bits, for software
   * adapters such as lavapipe, where workgroup memory costs what a storage buffer does).
   */
  readonly fusedIn?: 'workgroup' | 'invocation';
  /**
   * How `src` holds its complex values (default 'planar'; 'interleaved' only for fft-whole, fusedIn
   * 'invocation'): interleaved, a plain load reads `sequences`' strides in complex values (imOffset
   * unused) and the Hermitian extension / split read half spectra [rows, W] / row pairs
   * [ceil(rows / 2), w] of complex values.
   */
  readonly srcLayout?: ComplexLayout;
  /**
   * Where the last stage writes the sequences (storeTo 'sequences') when `dst` holds them
   * interleaved (only for fft-whole, fusedIn 'invocation'; no scale at the store): their strides
   * there in complex values. Default: planar, laid out as `sequences`.
   */
  readonly interleavedOutput?: InterleavedStrides;
}

/** Strides, in complex values, of sequences held interleaved (FftSequences' outerStride and elemStride). */
export interface InterleavedStrides {
  readonly outerStride: number;
  readonly elemStride: number;
}

const LOAD_FROM = { sequences: 0, 'hermitian-extend': 1, 'hermitian-split': 2, 'colour-mix': 3 } as const;
const STORE_TO = { sequences: 0, 'sigmoid-image': 1, 'sigmoid-image-padded': 2 } as const;

const SCALE_AT = { none: 0, load: 1, store: 2 } as const;

/**
 * The uniform of one fft-stage / fft-pair dispatch, written out field by field (the Fourier fields
 * zero without a shape: the plain modes read none). Not built from object spreads: V8 (Node 20)
 * took ~50 us per uniform built as {...sequences, ..., ...fourier fields} and spread again, against
 * ~0.1 us written out; ~0.45 ms of main thread per visualizeFeature step, on the cores lavapipe runs on.
 */
function stageUniform(
  sequences: FftSequences,
  span: number,
  sign: number,
  modes: FftModes,
  shape: FourierImageShape | undefined,
  output: InterleavedStrides = sequences,
) {
  const { n, count, inner, outerStride, elemStride, imOffset } = sequences;
  const { loadFrom, storeTo, scaleAt, batchFastest } = modes;
  const m = (i: number) => shape?.mix[i] ?? 0;
  return {
    n,
    count,
    inner,
    outerStride,
    elemStride,
    imOffset,
    span,
    scaleAt,
    batchFastest,
    sign,
    loadFrom,
    storeTo,
    rows: shape ? shape.images * shape.channels * shape.height : 0,
    width: shape?.width ?? 0,
    height: shape?.height ?? 0,
    channels: shape?.channels ?? 0,
    factor: shape?.factor ?? 0,
    m0: m(0),
    m1: m(1),
    m2: m(2),
    m3: m(3),
    m4: m(4),
    m5: m(5),
    m6: m(6),
    m7: m(7),
    m8: m(8),
    dstOuterStride: output.outerStride,
    dstElemStride: output.elemStride,
  };
}

function checkFourierModes(run: FftRun, stages: number): void {
  const loadFrom = run.loadFrom ?? 'sequences';
  const storeTo = run.storeTo ?? 'sequences';
  if ((loadFrom !== 'sequences' || storeTo !== 'sequences') && !run.fourier) {
    throw new InvalidOptionError(`recordFft: loadFrom ${loadFrom} / storeTo ${storeTo} need the parametrisation's shape (fourier)`);
  }
  if (loadFrom.startsWith('hermitian') && run.scaleAt === 'load') {
    throw new InvalidOptionError(`recordFft: scaleAt 'load' and loadFrom ${loadFrom} both change the first load; scale elsewhere`);
  }
  if (storeTo !== 'sequences' && run.scaleAt === 'store') {
    throw new InvalidOptionError(`recordFft: scaleAt 'store' and storeTo ${storeTo} both change the last store; scale elsewhere`);
  }
  if ((loadFrom !== 'sequences' || storeTo !== 'sequences') && stages === 0) {
    throw new InvalidOptionError(`recordFft: length 1 has no stage to read through ${loadFrom} or write to ${storeTo}; use lengths >= 2`);
  }
}

/** Why `run` cannot read or write `layouts` (any interleaved), or undefined when it can. */
function layoutProblem(run: FftRun, stages: number, layouts: FftLayouts): string | undefined {
  if (stages !== 2 || run.fuseStages === false || run.fusedIn !== 'invocation') {
    return "needs a two-stage plan run by fft-whole (fuseStages, fusedIn 'invocation')";
  }
  if (layouts.src === 'interleaved' && run.loadFrom === 'colour-mix') return "cannot be read through loadFrom 'colour-mix'";
  if (layouts.src === 'interleaved' && run.scaleAt === 'load') return "cannot be read through scaleAt 'load' (the scale is planar)";
  if (layouts.src === 'interleaved' && layouts.dst === 'planar' && (run.loadFrom ?? 'sequences') === 'sequences') {
    return 'read as plain sequences need an interleaved output (interleavedOutput): a planar dst is laid out by `sequences`, their strides';
  }
  if (layouts.dst === 'interleaved' && run.scaleAt === 'store') return "cannot be written through scaleAt 'store' (the scale is planar)";
  if (layouts.dst === 'interleaved' && (run.storeTo ?? 'sequences') !== 'sequences')
    return `cannot be written through storeTo '${run.storeTo}'`;
  return undefined;
}

/** The layouts of `src` and `dst` of a two-stage plan's one dispatch, after checking the run can use them. */
function checkLayouts(run: FftRun, stages: number): FftLayouts {
  const layouts: FftLayouts = { src: run.srcLayout ?? 'planar', dst: run.interleavedOutput ? 'interleaved' : 'planar' };
  if (layouts.src === 'planar' && layouts.dst === 'planar') return layouts;
  const problem = layoutProblem(run, stages, layouts);
  if (problem) {
    throw new InvalidOptionError(`recordFft: interleaved complex values (srcLayout / interleavedOutput) ${problem}; use planar ones there`);
  }
  return layouts;
}

/** Records the stages of `run` (n must have {@link fftRadices}); returns the buffer holding the result. */
export function recordFft(batch: KernelBatch, run: FftRun): GPUBuffer {
  const { sequences, scratch } = run;
  const radices = fftRadices(sequences.n);
  if (!radices) {
    throw new InvalidOptionError(`recordFft: no FFT plan for length ${sequences.n} (a prime factor above 7); check fftRadices first`);
  }
  checkFourierModes(run, radices.length);
  const layouts = checkLayouts(run, radices.length);
  if (sequences.count * sequences.n >= MAX_STAGE_ELEMENTS) {
    throw new InvalidOptionError(
      `recordFft: ${sequences.count} sequences of ${sequences.n} exceed ${MAX_STAGE_ELEMENTS} elements; split the batch`,
    );
  }
  // Neighbouring invocations on neighbouring memory: sequences when they interleave (inner > 1), else elements.
  const batchFastest = sequences.inner > 1 ? 1 : 0;
  // The modes of stages first .. last in one dispatch (one stage, or both of a pair).
  const modes = (first: boolean, last: boolean): FftModes => {
    const scaleAt = (run.scaleAt === 'load' && first) || (run.scaleAt === 'store' && last) ? run.scaleAt : 'none';
    return {
      batchFastest,
      scaleAt: SCALE_AT[scaleAt],
      loadFrom: LOAD_FROM[first ? (run.loadFrom ?? 'sequences') : 'sequences'],
      storeTo: STORE_TO[last ? (run.storeTo ?? 'sequences') : 'sequences'],
    };
  };
  const dstAfter = (current: GPUBuffer, last: boolean) => (last && run.dst ? run.dst : current === scratch[0] ? scratch[1] : scratch[0]);
  if (radices.length === 2 && run.fuseStages !== false) {
    // One dispatch: the first stage's loads and the last stage's stores, the scales at both ends.
    const dst = dstAfter(run.src, true);
    const kernel =
      run.fusedIn === 'invocation' ? fftWholeKernel(radices[0]!, radices[1]!, layouts) : fftPairKernel(radices[0]!, radices[1]!);
    batch.dispatch(kernel, {
      params: stageUniform(sequences, 1, run.sign, modes(true, true), run.fourier, run.interleavedOutput),
      src: run.src,
      twiddles: run.twiddles,
      scale: run.scale,
      dst,
    });
    return dst;
  }
  let current = run.src;
  let span = 1;
  radices.forEach((radix, stage) => {
    const last = stage === radices.length - 1;
    const dst = dstAfter(current, last);
    const stageModes = modes(stage === 0, last);
    batch.dispatch(fftStageKernel(radix, stageModes, stage === 0), {
      params: stageUniform(sequences, span, run.sign, stageModes, run.fourier),
      src: current,
      twiddles: run.twiddles,
      scale: run.scale,
      dst,
    });
    current = dst;
    span *= radix;
  });
  return current;
}

/**
 * How an image [images, height, width, channels] lies in its buffer: 'packed', channels floats per
 * pixel (NHWC, what tfjs tensors hold), or 'padded', 4 floats per pixel (channels <= 4; the floats
 * past the channels are never read as data), so that a kernel gathering whole pixels reads one
 * vec4 per pixel (affine-sample-padded: 4 vector loads per output pixel instead of 12 scalar ones).
 */
export type ImageLayout = 'packed' | 'padded';

/** Floats per pixel of an image of `channels` in `layout`. */
export const pixelStride = (layout: ImageLayout, channels: number) => (layout === 'padded' ? 4 : channels);

/** Sizes and constants of the Fourier parametrisation: `images` x `channels` planes of height x width. */
export interface FourierImageShape {
  readonly images: number;
  readonly channels: 1 | 3;
  readonly height: number;
  readonly width: number;
  /** The planes' factor (the parametrisation's norm). */
  readonly factor: number;
  /** Row-major 3 x 3 colour mix (images = planes @ M); for one channel, [1] (or any 9 values: m0 is read). */
  readonly mix: readonly number[];
}

/** GPU buffers shared by the forward and adjoint recordings. */
export interface FourierImageBuffers {
  /** {@link fftTwiddles}(width), for the row FFTs over x, on the GPU. */
  readonly rowTwiddles: GPUBuffer;
  /** {@link fftTwiddles}(height), for the column FFTs over u, on the GPU. */
  readonly columnTwiddles: GPUBuffer;
  /** The 1/f scale [height, 2 W], ([re | im] per row u, the same factor twice). */
  readonly scale: GPUBuffer;
  /** Two scratch buffers of at least {@link fourierScratchFloats} floats each. */
  readonly scratch: readonly [GPUBuffer, GPUBuffer];
  /** {@link FftRun.fuseStages} of every FFT recorded (default true). */
  readonly fuseStages?: boolean;
  /** {@link FftRun.fusedIn} of every FFT recorded (default 'workgroup'). */
  readonly fusedIn?: FftRun['fusedIn'];
  /**
   * How the scratch buffers hold the complex values between the FFTs (the column FFT's half spectra,
   * the row FFT's pairs): default 'planar'; 'interleaved' (one vec2 per value) only with fusedIn
   * 'invocation' and {@link hasTwoStagePlans}. The spectra, their gradient and the image stay as they are.
   */
  readonly scratchLayout?: ComplexLayout;
}

/** The FftRun fields of every FFT recorded with `buffers`. */
const fusionOf = (buffers: FourierImageBuffers): Pick<FftRun, 'fuseStages' | 'fusedIn'> => ({
  fuseStages: buffers.fuseStages ?? true,
  fusedIn: buffers.fusedIn ?? 'workgroup',
});

/** Floats each scratch buffer needs: the half spectra [rows, 2 W] or the row pairs [ceil(rows / 2), 2, w]. */
export function fourierScratchFloats(shape: FourierImageShape): number {
  const rows = shape.images * shape.channels * shape.height;
  return Math.max(rows * 2 * (Math.floor(shape.width / 2) + 1), Math.ceil(rows / 2) * 2 * shape.width);
}

/** Whether both lengths have an FFT plan ({@link fftRadices}). */
export const hasFourierPlan = (height: number, width: number) => fftRadices(height) !== undefined && fftRadices(width) !== undefined;

/**
 * Whether both lengths' plans have two stages, so that fusedIn 'invocation' runs each axis as one
 * fft-whole dispatch: what {@link FourierImageBuffers.scratchLayout} 'interleaved' needs.
 */
export const hasTwoStagePlans = (height: number, width: number) => fftRadices(height)?.length === 2 && fftRadices(width)?.length === 2;

/** The half-spectrum axis u of [planes, h, 2 W] as FFT sequences (one per plane and column v). */
function columnSequences(shape: FourierImageShape): FftSequences {
  const half = Math.floor(shape.width / 2) + 1;
  const planes = shape.images * shape.channels;
  return { n: shape.height, count: planes * half, inner: half, outerStride: shape.height * 2 * half, elemStride: 2 * half, imOffset: half };
}

/** {@link columnSequences} held interleaved: the half spectra [planes, h, W] complex. */
function interleavedColumns(shape: FourierImageShape): InterleavedStrides {
  const half = Math.floor(shape.width / 2) + 1;
  return { outerStride: shape.height * half, elemStride: half };
}

/** The packed row pairs [ceil(rows / 2), 2, w] (planar) or [ceil(rows / 2), w] complex (interleaved) as FFT sequences. */
function rowSequences(shape: FourierImageShape, layout: ComplexLayout = 'planar'): FftSequences {
  const rows = shape.images * shape.channels * shape.height;
  const count = Math.ceil(rows / 2);
  if (layout === 'interleaved') return { n: shape.width, count, inner: 1, outerStride: shape.width, elemStride: 1, imOffset: 0 };
  return { n: shape.width, count, inner: 1, outerStride: 2 * shape.width, elemStride: 1, imOffset: shape.width };
}

/** The uniform of fourier-image-adjoint and affine-fourier-adjoint for `shape`. */
export function fourierImageParams(shape: FourierImageShape) {
  const { images, height, width, channels, factor } = shape;
  return { images, height, width, channels, factor, ...mixParams(shape.mix) };
}

/** m0..m8 of a row-major 3 x 3 mix (missing entries 0). */
export function mixParams(mix: readonly number[]) {
  const m = (i: number) => mix[i] ?? 0;
  return { m0: m(0), m1: m(1), m2: m(2), m3: m(3), m4: m(4), m5: m(5), m6: m(6), m7: m(7), m8: m(8) };
}

/**
 * What recordFourierImage's `spectra` hold: the variables ('variables'), which the first column
 * stage reads colour-mixed and scaled, or that mix already made ('premixed': adam-ascend-premix's
 * output, bit for bit what that load computes), which it reads as they are.
 */
export type SpectraForm = 'variables' | 'premixed';

/**
 * Records image = sigmoid(colour mix(factor * irfft2(scale * spectra))) for `spectra` [planes, h, 2 W]
 * ([re | im] half spectrum per row u) into `image` [images, h, w, channels] in `layout`: column FFTs over u
 * whose first stage reads the spectra colour-mixed and scaled (the mix is linear, so it commutes
 * with the FFTs; `form` 'premixed': already mixed and scaled), then row FFTs over x whose first
 * stage reads the columns' result through the Hermitian extension (two rows per sequence) and whose
 * last stage writes factor and sigmoid straight into the image: no pass besides the FFT stages.
 */
export function recordFourierImage(
  batch: KernelBatch,
  shape: FourierImageShape,
  buffers: FourierImageBuffers,
  spectra: GPUBuffer,
  image: GPUBuffer,
  layout: ImageLayout = 'packed',
  form: SpectraForm = 'variables',
): void {
  const { scratch } = buffers;
  const interleaved = buffers.scratchLayout === 'interleaved';
  const columns = recordFft(batch, {
    sequences: columnSequences(shape),
    sign: 1,
    twiddles: buffers.columnTwiddles,
    scale: buffers.scale,
    scaleAt: form === 'premixed' ? 'none' : 'load',
    src: spectra,
    scratch,
    loadFrom: form === 'premixed' ? 'sequences' : 'colour-mix',
    fourier: shape,
    ...(interleaved && { interleavedOutput: interleavedColumns(shape) }),
    ...fusionOf(buffers),
  });
  recordFft(batch, {
    sequences: rowSequences(shape),
    srcLayout: buffers.scratchLayout ?? 'planar',
    sign: 1,
    twiddles: buffers.rowTwiddles,
    scale: buffers.scale,
    scaleAt: 'none',
    src: columns,
    scratch,
    dst: image,
    loadFrom: 'hermitian-extend',
    storeTo: layout === 'padded' ? 'sigmoid-image-padded' : 'sigmoid-image',
    fourier: shape,
    ...fusionOf(buffers),
  });
}

/**
 * Records the adjoint of {@link recordFourierImage} at `image`: `gradient` [images, h, w, channels]
 * (d objective / d image) -> `spectraGradient` [planes, h, 2 W]: fourier-image-adjoint, then
 * {@link recordFourierPairsAdjoint}.
 */
export function recordFourierImageAdjoint(
  batch: KernelBatch,
  shape: FourierImageShape,
  buffers: FourierImageBuffers,
  image: GPUBuffer,
  gradient: GPUBuffer,
  spectraGradient: GPUBuffer,
): void {
  batch.dispatch(fourierImageAdjoint, { params: fourierImageParams(shape), image, gradient, pairs: buffers.scratch[0] });
  recordFourierPairsAdjoint(batch, shape, buffers, spectraGradient);
}

/** What the model saw of the images (affine-sample's output size) and how (its maps, on the GPU). */
export interface FourierView {
  readonly outHeight: number;
  readonly outWidth: number;
  readonly transforms: GPUBuffer;
  /** The layout of the image recordFourierImage wrote (default 'packed'). */
  readonly imageLayout?: ImageLayout;
}

/**
 * Records the adjoint of affine-sample (through `view`) then of {@link recordFourierImage} at
 * `image` (in `view.imageLayout`): `grad` [images, outHeight, outWidth, channels] (d objective / d what the model saw) ->
 * `spectraGradient` [planes, h, 2 W]: affine-fourier-adjoint (both first kernels in one pass), then
 * {@link recordFourierPairsAdjoint}. The maps must have been checked (checkAffineSample).
 */
export function recordAffineFourierAdjoint(
  batch: KernelBatch,
  shape: FourierImageShape,
  buffers: FourierImageBuffers,
  view: FourierView,
  image: GPUBuffer,
  grad: GPUBuffer,
  spectraGradient: GPUBuffer,
): void {
  const { outHeight, outWidth, transforms } = view;
  const imageStride = pixelStride(view.imageLayout ?? 'packed', shape.channels);
  // Interleaved pairs straight from the gather where a 2 x 2 block's rows are one pair's (even heights).
  const pairsLayout = buffers.scratchLayout === 'interleaved' && shape.height % 2 === 0 ? 'interleaved' : 'planar';
  batch.dispatch(affineFourierAdjointFor(shape, pairsLayout), {
    params: fourierImageParams(shape),
    view: { outHeight, outWidth, imageStride },
    grad,
    transforms,
    image,
    pairs: buffers.scratch[0],
  });
  recordFourierPairsAdjoint(batch, shape, buffers, spectraGradient, pairsLayout);
}

/**
 * Records the rest of the adjoint from the packed plane-row gradients in `buffers.scratch[0]`
 * ([ceil(rows / 2), 2, w] as fourier-image-adjoint writes them, or interleaved, `pairsLayout`) to
 * `spectraGradient` [planes, h, 2 W]: forward row FFTs (into scratch laid out as
 * `buffers.scratchLayout` says), then forward column FFTs whose first stage reads their result
 * through the Hermitian split (scale on the last store).
 */
function recordFourierPairsAdjoint(
  batch: KernelBatch,
  shape: FourierImageShape,
  buffers: FourierImageBuffers,
  spectraGradient: GPUBuffer,
  pairsLayout: ComplexLayout = 'planar',
): void {
  const { scratch } = buffers;
  const packed = recordFft(batch, {
    sequences: rowSequences(shape, pairsLayout),
    srcLayout: pairsLayout,
    sign: -1,
    twiddles: buffers.rowTwiddles,
    scale: buffers.scale,
    scaleAt: 'none',
    src: scratch[0],
    scratch,
    ...(buffers.scratchLayout === 'interleaved' && { interleavedOutput: rowSequences(shape, 'interleaved') }),
    ...fusionOf(buffers),
  });
  recordFft(batch, {
    sequences: columnSequences(shape),
    srcLayout: buffers.scratchLayout ?? 'planar',
    sign: -1,
    twiddles: buffers.columnTwiddles,
    scale: buffers.scale,
    scaleAt: 'store',
    src: packed,
    scratch,
    dst: spectraGradient,
    loadFrom: 'hermitian-split',
    fourier: shape,
    ...fusionOf(buffers),
  });
}
