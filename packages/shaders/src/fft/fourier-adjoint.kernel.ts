// SPDX-License-Identifier: Apache-2.0
import adjointSource from './fourier-image-adjoint.wgsl';
import { defineKernel, type UniformType } from '../runtime/kernel.js';
import { fourierParamsSnippet } from '../snippets/index.js';

/**
 * The plane factor and the row-major 3 x 3 colour mix m0..m8, the last fields of both the
 * adjoints' uniform (below) and the FFT stage's (fft-stage.kernel.ts, whose last row stage applies
 * them).
 */
export const FOURIER_MIX_FIELDS = {
  factor: 'f32',
  m0: 'f32',
  m1: 'f32',
  m2: 'f32',
  m3: 'f32',
  m4: 'f32',
  m5: 'f32',
  m6: 'f32',
  m7: 'f32',
  m8: 'f32',
} as const satisfies Record<string, UniformType>;

/**
 * The uniform of fourier-image-adjoint and affine-fourier-adjoint: sizes, the plane factor and the
 * row-major 3 x 3 colour mix m0..m8. Their WGSL struct is written once, in fourier-params.wgsl
 * (included by both).
 */
export const FOURIER_IMAGE_PARAMS = {
  images: 'u32',
  height: 'u32',
  width: 'u32',
  channels: 'u32',
  ...FOURIER_MIX_FIELDS,
} as const satisfies Record<string, UniformType>;

/** A few f32 products and sums plus one exp per value (values and mix of order 1): a few ulp. */
const tolerance = { abs: 2e-6, rel: 1e-5 } as const;

/**
 * GPU kernel: the adjoint of the parametrisation's last step (factor, colour mix M, sigmoid; done
 * by the last inverse row FFT stage, fourierImageRef) at `image`: image gradient [images, height,
 * width, channels] -> packed plane-row gradients [ceil(rows / 2), 2, width] for the forward row
 * FFT. One invocation per (pair, x). See fourier-image-adjoint.wgsl; CPU reference: fourierImageAdjointRef.
 */
export const fourierImageAdjoint = defineKernel({
  name: 'fourier-image-adjoint',
  source: adjointSource,
  includes: [fourierParamsSnippet],
  workgroupSize: 64,
  bindings: {
    params: { uniform: FOURIER_IMAGE_PARAMS },
    image: { storage: 'read' },
    gradient: { storage: 'read' },
    pairs: { storage: 'read_write' },
  },
  tolerance,
  threads: ({ params }) => Math.ceil((params.images * params.channels * params.height) / 2) * params.width,
});
