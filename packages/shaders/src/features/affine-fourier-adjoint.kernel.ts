// SPDX-License-Identifier: Apache-2.0
import source from './affine-fourier-adjoint.wgsl';
import interleavedSource from './affine-fourier-adjoint-interleaved.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { kernelVariant } from '../runtime/kernel-variant.js';
import { FOURIER_IMAGE_PARAMS } from '../fft/fourier-adjoint.kernel.js';
import { affineFootprintSnippet, affineFourierPixelSnippet, fourierParamsSnippet } from '../snippets/index.js';
import { affineTolerance } from './affine-sample.kernel.js';
import { rowGrid } from './row-grid.js';

/** Invocations per workgroup: one row of them covers the 64 blocks of a 128-wide image (affine-fourier-pixel.wgsl). */
const BLOCK_ROW_WORKGROUP = 64;

/** What affine-fourier-adjoint and its interleaved twin share: everything but the source. */
const AFFINE_FOURIER_ADJOINT = {
  includes: [fourierParamsSnippet, affineFootprintSnippet, affineFourierPixelSnippet],
  workgroupSize: BLOCK_ROW_WORKGROUP,
  // c <= 3: the footprint's chunks never load a fourth channel (affine-footprint.wgsl);
  // affineFourierAdjointFor sets c itself.
  constants: { CHUNK_LANES: 3 },
  bindings: {
    params: { uniform: FOURIER_IMAGE_PARAMS },
    view: { uniform: { outHeight: 'u32', outWidth: 'u32', imageStride: 'u32' } },
    grad: { storage: 'read' },
    transforms: { storage: 'read' },
    image: { storage: 'read' },
    pairs: { storage: 'read_write' },
  },
  tolerance: affineTolerance,
  // One invocation per 2 x 2 block, a row of workgroups per row of blocks and image
  // (affine-fourier-pixel.wgsl says why this grid).
  workgroups: ({ params }: { params: { images: number; height: number; width: number } }) =>
    rowGrid(
      'affine-fourier-adjoint',
      'rows of 2 x 2 blocks',
      { images: params.images, rows: Math.ceil(params.height / 2), columns: Math.ceil(params.width / 2) },
      BLOCK_ROW_WORKGROUP,
    ),
} as const;

/**
 * GPU kernel: {@link affineSampleAdjoint} followed by {@link fourierImageAdjoint} in one pass, for
 * a visualizeFeature step without penalties: `grad` [images, view.outHeight, view.outWidth, c]
 * (the gradient with respect to what the model saw through `transforms`) and `image` [images,
 * height, width, c] (the sigmoid's output, `view.imageStride` floats per pixel: c, or 4 for the
 * padded layout) -> packed plane-row gradients `pairs` [ceil(rows / 2),
 * 2, width], as fourier-image-adjoint writes them; c = 1 or 3.
 * Tolerance: affine-sample-adjoint's (its gather is the same code), the rest scales it by factor
 * |M| s (1 - s) <= 1 for the parametrisation's factors and mix. One invocation per 2 x 2 block of
 * image pixels (their gathers share candidates). See affine-fourier-adjoint.wgsl;
 * CPU reference: affineFourierAdjointRef.
 */
export const affineFourierAdjoint = defineKernel({ name: 'affine-fourier-adjoint', source, ...AFFINE_FOURIER_ADJOINT });

/**
 * GPU kernel: {@link affineFourierAdjoint} writing `pairs` interleaved, [rows / 2, width] complex
 * (rows 2k and 2k + 1 of a pair adjacent at each column: the layout fft-whole's row FFT reads as one
 * vec2 per value, FftRun.srcLayout 'interleaved'), the same values bit for bit; even heights only
 * (then a 2 x 2 block's two rows are one pair's: one vec2 store per channel and column). Same
 * arguments and tolerance. See affine-fourier-adjoint-interleaved.wgsl; CPU reference:
 * interleaveComplexRows of affineFourierAdjointRef.
 */
export const affineFourierAdjointInterleaved = defineKernel({
  name: 'affine-fourier-adjoint-interleaved',
  source: interleavedSource,
  ...AFFINE_FOURIER_ADJOINT,
});

/**
 * {@link affineFourierAdjoint} (or its interleaved twin) for images of `channels` (1 or 3) and
 * `height` x `width`: the channel count (CHANNELS, CHUNK_LANES) and whether both sizes are even
 * (EVEN_IMAGE) as pipeline constants, which fold the per-channel branches, a one-channel image's
 * dead loads and sums, and the edge guards away (affine-fourier-pixel.wgsl); the same bits.
 */
export function affineFourierAdjointFor(
  image: { readonly channels: 1 | 3; readonly height: number; readonly width: number },
  layout: 'planar' | 'interleaved' = 'planar',
) {
  const even = image.height % 2 === 0 && image.width % 2 === 0;
  return kernelVariant(layout === 'interleaved' ? affineFourierAdjointInterleaved : affineFourierAdjoint, {
    CHANNELS: image.channels,
    CHUNK_LANES: image.channels,
    EVEN_IMAGE: even ? 1 : 0,
  });
}
