// SPDX-License-Identifier: Apache-2.0
import source from './adam-ascend-premix.wgsl';
import { defineKernel, type KernelArgs } from '../runtime/kernel.js';
import { kernelVariant } from '../runtime/kernel-variant.js';
import type { KernelBatch } from '../runtime/batch.js';
import { ShapeMismatchError } from '../runtime/errors.js';
import { adamUpdateSnippet } from '../snippets/index.js';
import { mixParams, type FourierImageShape } from '../fft/fft-plan.js';
import { FOURIER_MIX_FIELDS } from '../fft/fourier-adjoint.kernel.js';
import { ADAM_BINDINGS, ADAM_TOLERANCE } from './adam-ascend.kernel.js';

const PREMIX_BINDINGS = {
  ...ADAM_BINDINGS,
  gradient: { storage: 'read_write' },
  // The Fourier uniforms' factor and mix fields (factor unused here).
  premix: { uniform: { images: 'u32', quads: 'u32', ...FOURIER_MIX_FIELDS } },
  scale: { storage: 'read' },
} as const;

/**
 * GPU kernel: adam-ascend-quads' step for the Fourier parametrisation's variables [images * 3, h,
 * 2 W] (`params.count` of them, `first` unused) that also overwrites `gradient` with the next
 * step's premixed spectrum, plane 3 n + j = (sum_i M[i, j] x'_{3 n + i}) * scale [h, 2 W]: what
 * the column FFT's colour-mix load reads, bit for bit, so that load becomes a plain one (see
 * adam-ascend-premix.wgsl). `premix.quads` = h 2 W / 4 (whole quads; also the pipeline constant
 * QUADS: record through recordAdamPremixStep, which sets it), `premix.images` images.
 * Tolerance: adam-ascend's for x', m', v' (the same adamUpdate); the premixed spectrum is the mix
 * of the kernel's own x' (f32 products and sums as the FFT's load makes them), checked against
 * the f64 mix of x' within the same abs 1e-6 + rel 1e-5. CPU reference: adamAscendPremixRef.
 */
export const adamAscendPremix = defineKernel({
  name: 'adam-ascend-premix',
  source,
  includes: [adamUpdateSnippet],
  workgroupSize: 256,
  bindings: PREMIX_BINDINGS,
  tolerance: ADAM_TOLERANCE,
  threads: ({ premix }) => premix.images * premix.quads,
});

/** The arguments of {@link recordAdamPremixStep}. */
export type AdamPremixArgs = Omit<KernelArgs<typeof PREMIX_BINDINGS>, 'params' | 'premix'> & {
  readonly params: Omit<KernelArgs<typeof PREMIX_BINDINGS>['params'], 'first'>;
  /** The parametrisation's sizes and row-major 3 x 3 colour mix (images = planes @ M). */
  readonly shape: Pick<FourierImageShape, 'images' | 'height' | 'width' | 'factor' | 'mix'>;
};

/** Floats of one plane of the variables [h, 2 W] (W = floor(w / 2) + 1). */
const planeFloats = (height: number, width: number) => height * 2 * (Math.floor(width / 2) + 1);

/** Whether {@link recordAdamPremixStep} takes variables of this size: 3 channels and whole quads per plane. */
export const premixFits = (height: number, width: number, channels: number) => channels === 3 && planeFloats(height, width) % 4 === 0;

/**
 * Records one Adam step over the variables of `shape` (3 channels) that leaves the next step's
 * premixed spectrum in `gradient` (adam-ascend-premix).
 * @throws {ShapeMismatchError} the planes do not hold whole quads, or `params.count` is not the variables' size.
 */
export function recordAdamPremixStep(batch: KernelBatch, args: AdamPremixArgs): void {
  const { shape, params, ...buffers } = args;
  const floats = planeFloats(shape.height, shape.width);
  if (!premixFits(shape.height, shape.width, 3) || params.count !== shape.images * 3 * floats)
    throw new ShapeMismatchError(
      `adam-ascend-premix: ${params.count} variables for ${shape.images} images of 3 planes [${shape.height}, ${floats / shape.height}] (${floats} floats each, a multiple of 4 needed)`,
    );
  const premix = { images: shape.images, quads: floats / 4, factor: shape.factor, ...mixParams(shape.mix) };
  batch.dispatch(kernelVariant(adamAscendPremix, { QUADS: premix.quads }), { ...buffers, params: { ...params, first: 0 }, premix });
}
