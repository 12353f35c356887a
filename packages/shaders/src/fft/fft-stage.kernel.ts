// SPDX-License-Identifier: Apache-2.0
import source from './fft-stage.wgsl';
import pairSource from './fft-pair.wgsl';
import wholeSource from './fft-whole.wgsl';
import { InvalidOptionError } from '../runtime/errors.js';
import { defineKernel, type WgslSnippet } from '../runtime/kernel.js';
import { FOURIER_MIX_FIELDS } from './fourier-adjoint.kernel.js';
import { twiddleTableSnippet } from './fft-twiddles.js';
import {
  fftDstInterleavedSnippet,
  fftDstPlanarSnippet,
  fftIoSnippet,
  fftPairStagesSnippet,
  fftSrcInterleavedSnippet,
  fftSrcPlanarSnippet,
} from '../snippets/index.js';

/** The largest radix one {@link fftStage} dispatch takes (its private array's size in fft-stage.wgsl). */
export const MAX_RADIX = 16;

/** The radices fft-stage.wgsl has a butterfly for (smallDft): powers of two up to MAX_RADIX, odd primes up to 7, 14 = 2 x 7. */
export const FFT_STAGE_RADICES: readonly number[] = [2, 3, 4, 5, 7, 8, 14, 16];

/**
 * Parity tolerance of the FFT kernels for data whose outputs are of order 1 (inputs scaled by
 * 1 / sqrt(n)): each output is log_R(n) stages of short f32 sums of twiddled terms, each term
 * rounded to 2^-24 relative (the twiddles come from f64): about 2^-24 * a few * log2(n) * rms,
 * under 1e-6 at n = 224; abs 1e-5 + rel 1e-4 leaves room for the largest of many outputs.
 */
export const fftTolerance = { abs: 1e-5, rel: 1e-4 } as const;

/** Invocations of a stage past this would leave the f32 index arithmetic of fft-stage.wgsl (divmod). */
export const MAX_STAGE_ELEMENTS = 2 ** 24;

/**
 * The choices fft-stage.wgsl makes as pipeline constants (fft-pair.wgsl reads the same from its
 * uniform; fft-io.wgsl says why): where the first stage reads from (`loadFrom` 0 plain, 1 Hermitian
 * extension, 2 Hermitian split, 3 colour mix), where the last stage writes (`storeTo` 0 plain, 1 the sigmoid NHWC image, 2 the same padded to 4 floats per
 * pixel), where `scale` applies (`scaleAt` 0 nowhere, 1 on load, 2 on store) and the invocation
 * order (`batchFastest` 1 sequence-first, 0 element-first). recordFft picks them per dispatch.
 */
export interface FftModes {
  readonly loadFrom: number;
  readonly storeTo: number;
  readonly scaleAt: number;
  readonly batchFastest: number;
}

/** Plain loads and stores, no scale, element-first: the modes of a stage inside a plan. */
export const PLAIN_FFT_MODES: FftModes = { loadFrom: 0, storeTo: 0, scaleAt: 0, batchFastest: 0 };

/** The largest value of each mode (fft-stage.wgsl has no path past it). */
const MODE_LIMITS: FftModes = { loadFrom: 3, storeTo: 2, scaleAt: 2, batchFastest: 1 };

/** The modes as fft-stage.wgsl's override constants, after checking each is one it has a path for. */
function modeConstants(modes: FftModes) {
  for (const [mode, limit] of Object.entries(MODE_LIMITS) as [keyof FftModes, number][]) {
    const value = modes[mode];
    if (!Number.isInteger(value) || value < 0 || value > limit) {
      throw new InvalidOptionError(
        `fftStageKernel: ${mode} ${value} has no path in fft-stage.wgsl; use an integer 0 .. ${limit} (FftModes)`,
      );
    }
  }
  const { loadFrom, storeTo, scaleAt, batchFastest } = modes;
  return { LOAD_FROM: loadFrom, STORE_TO: storeTo, SCALE_AT: scaleAt, BATCH_FASTEST: batchFastest };
}

const modesKey = ({ loadFrom, storeTo, scaleAt, batchFastest }: FftModes) => `${loadFrom}${storeTo}${scaleAt}${batchFastest}`;

/**
 * GPU kernel: one radix-`radix` Stockham stage (span = product of the earlier stages' radices) of
 * `count` complex sequences of length `n`, `src` -> `dst`, split re / im storage (`imOffset`) with
 * strided addressing (see fft-stage.wgsl); `twiddles` [n][2] = (cos, sin)(2 pi k / n), `sign` +1
 * (inverse, unnormalised) or -1 (forward); `modes` ({@link FftModes}; the uniform's fields of the
 * same names are fft-pair's) say how the stage loads, scales and stores (the Fourier
 * parametrisation's sizes rows, width, height, channels, factor and mix m0..m8 in the uniform say
 * the shapes; see fft-io.wgsl's load and storeImage). `firstStage` (only for span 1, a plan's
 * first stage: recordFft's stage 0) reads every twiddle as w^0 from one constant index, the same
 * bits for fewer gathers on SwiftShader (fft-stage.wgsl's twiddled). The radix, the modes and
 * `firstStage` are pipeline constants: one descriptor per radix of FFT_STAGE_RADICES, set of modes
 * and `firstStage`, made (once) by this function. Run the stages with recordFft; CPU references: fftStageRef (one stage),
 * dftRef (all stages at once).
 */
export function fftStageKernel(radix: number, modes: FftModes = PLAIN_FFT_MODES, firstStage = false) {
  if (!FFT_STAGE_RADICES.includes(radix)) {
    throw new InvalidOptionError(
      `fftStageKernel: no butterfly for radix ${radix}; use one of ${FFT_STAGE_RADICES.join(', ')} (fftRadices)`,
    );
  }
  const constants = modeConstants(modes);
  const key = `${radix}:${modesKey(modes)}:${firstStage ? 1 : 0}`;
  let spec = stages.get(key);
  if (!spec) stages.set(key, (spec = stageSpec({ RADIX: radix, ...constants, FIRST_STAGE: firstStage ? 1 : 0 })));
  return spec;
}

/** The bindings of fft-stage and fft-pair (one uniform layout: fft-io.wgsl's Params). */
const FFT_BINDINGS = {
  params: {
    uniform: {
      n: 'u32',
      span: 'u32',
      count: 'u32',
      inner: 'u32',
      outerStride: 'u32',
      elemStride: 'u32',
      imOffset: 'u32',
      scaleAt: 'u32',
      batchFastest: 'u32',
      sign: 'f32',
      loadFrom: 'u32',
      storeTo: 'u32',
      rows: 'u32',
      width: 'u32',
      height: 'u32',
      channels: 'u32',
      ...FOURIER_MIX_FIELDS,
      dstOuterStride: 'u32',
      dstElemStride: 'u32',
    },
  },
  src: { storage: 'read' },
  twiddles: { storage: 'read' },
  scale: { storage: 'read' },
  dst: { storage: 'read_write' },
} as const;

const stageSpec = (constants: { RADIX: number; FIRST_STAGE: number } & ReturnType<typeof modeConstants>) =>
  defineKernel({
    name: 'fft-stage',
    source,
    workgroupSize: 64,
    constants,
    bindings: FFT_BINDINGS,
    tolerance: fftTolerance,
    includes: [fftSrcPlanarSnippet, fftDstPlanarSnippet, fftIoSnippet],
    threads: ({ params }) => (params.count * params.n) / constants.RADIX,
  });

const stages = new Map<string, ReturnType<typeof stageSpec>>();

/** The plain radix-2 stage (the descriptor of fft-stage.wgsl; {@link fftStageKernel} makes the others). */
export const fftStage = fftStageKernel(2);

/** Invocations per workgroup of fft-pair (its workgroup memory holds 64 x MAX_RADIX values). */
const PAIR_WORKGROUP = 64;

/** Whole sequences one fft-pair workgroup takes: min(r1, r2) invocations each (fft-pair.wgsl). */
export const fftPairSequences = (radix1: number, radix2: number) => Math.floor(PAIR_WORKGROUP / Math.min(radix1, radix2));

/**
 * How a buffer holds complex values: 'planar' (f32s, real and imaginary parts `imOffset` apart,
 * two scalar accesses per value; also an image's f32s) or 'interleaved' (re, im adjacent, one vec2
 * access per value, addresses and strides in complex values; fft-src-interleaved.wgsl says why).
 */
export type ComplexLayout = 'planar' | 'interleaved';

/** The layouts of a two-stage kernel's `src` and `dst`. */
export interface FftLayouts {
  readonly src: ComplexLayout;
  readonly dst: ComplexLayout;
}

/** fft-stage's and fft-pair's layouts (the only ones they have). */
export const PLANAR_FFT_LAYOUTS: FftLayouts = { src: 'planar', dst: 'planar' };

const SRC_SNIPPETS = { planar: fftSrcPlanarSnippet, interleaved: fftSrcInterleavedSnippet } as const;
const DST_SNIPPETS = { planar: fftDstPlanarSnippet, interleaved: fftDstInterleavedSnippet } as const;

/** A two-stage FFT kernel (fft-pair.wgsl or fft-whole.wgsl) for radices r1 x r2. */
interface TwoStageKernel {
  readonly name: 'fft-pair' | 'fft-whole';
  readonly source: string;
  readonly workgroupSize: number;
  /** Invocations for `count` sequences. */
  readonly threads: (count: number, radix1: number, radix2: number) => number;
  /** The snippets it includes for length n besides `src` and `dst`'s. */
  readonly includes: (n: number) => readonly WgslSnippet[];
}

/**
 * The descriptor of `kernel` at radices r1 x r2: fft-stage's bindings and tolerance, the radices as
 * pipeline constants, `src` and `dst` declared as `layouts` say (their snippets).
 */
const twoStageSpec = (kernel: TwoStageKernel, radix1: number, radix2: number, layouts: FftLayouts) =>
  defineKernel({
    name: kernel.name,
    source: kernel.source,
    workgroupSize: kernel.workgroupSize,
    constants: { RADIX1: radix1, RADIX2: radix2 },
    bindings: FFT_BINDINGS,
    tolerance: fftTolerance,
    includes: [SRC_SNIPPETS[layouts.src], DST_SNIPPETS[layouts.dst], ...kernel.includes(radix1 * radix2)],
    threads: ({ params }) => kernel.threads(params.count, radix1, radix2),
  });

/** `kernel`'s descriptor per radix pair and layouts, made once (the radices checked as fftStageKernel checks them). */
function twoStageKernels(kernel: TwoStageKernel) {
  const made = new Map<string, ReturnType<typeof twoStageSpec>>();
  return (radix1: number, radix2: number, layouts: FftLayouts = PLANAR_FFT_LAYOUTS): ReturnType<typeof twoStageSpec> => {
    for (const radix of [radix1, radix2]) fftStageKernel(radix); // the same butterflies: rejects the same radices
    const key = `${radix1}x${radix2}:${layouts.src}:${layouts.dst}`;
    let spec = made.get(key);
    if (!spec) made.set(key, (spec = twoStageSpec(kernel, radix1, radix2, layouts)));
    return spec;
  };
}

const pairKernels = twoStageKernels({
  name: 'fft-pair',
  source: pairSource,
  workgroupSize: PAIR_WORKGROUP,
  threads: (count, radix1, radix2) => Math.ceil(count / fftPairSequences(radix1, radix2)) * PAIR_WORKGROUP,
  includes: () => [fftPairStagesSnippet],
});
/**
 * GPU kernel: a whole two-stage FFT (n = `radix1` x `radix2`, the plan fftRadices gives n) in one
 * dispatch, the stages' values in workgroup memory (fft-pair.wgsl): the same arguments as the
 * stages of fft-stage (`span` unused), its first-stage loads and last-stage stores, the modes read
 * from the uniform (fields loadFrom, storeTo, scaleAt, batchFastest; fft-io.wgsl says why not
 * pipeline constants here). One descriptor per radix pair, made (once) by this function. CPU
 * reference: dftRef (and fft-stage's).
 */
export const fftPairKernel = (radix1: number, radix2: number) => pairKernels(radix1, radix2);

/** The 16 x 8 pair (n = 128; the descriptor of fft-pair.wgsl; {@link fftPairKernel} makes the others). */
export const fftPair = fftPairKernel(16, 8);

/**
 * GPU kernel: {@link fftPairKernel}'s two-stage FFT with one invocation per whole sequence, the
 * values between the stages in a private array (fft-whole.wgsl; the second stage's twiddles WGSL
 * constants, fft-twiddles.ts's twiddleTableSnippet, so `twiddles` is bound but not read): the same arguments, the same
 * bits, no workgroup memory and no barrier. For software adapters (lavapipe), where workgroup
 * memory costs what a storage buffer does. `layouts` (default planar, as fft-pair) say how `src`
 * and `dst` hold complex values: an interleaved one is read / written with one vec2 per value (the
 * same values, bit for bit), addressed by the sequences' strides (src) or the uniform's
 * dstOuterStride / dstElemStride (dst), in complex values; the Hermitian extension and split read
 * interleaved half spectra [rows, W] / row pairs [ceil(rows / 2), w]. One descriptor per radix pair
 * and layouts, made (once) by this function. CPU reference: dftRef (and fft-stage's; interleaved:
 * interleaveComplexRows of them).
 */
export const fftWholeKernel = twoStageKernels({
  name: 'fft-whole',
  source: wholeSource,
  workgroupSize: 64,
  threads: (count) => count,
  includes: (n) => [fftPairStagesSnippet, twiddleTableSnippet(n)],
});

/** The 16 x 8 whole-sequence FFT (n = 128; the descriptor of fft-whole.wgsl; {@link fftWholeKernel} makes the others). */
export const fftWhole = fftWholeKernel(16, 8);
