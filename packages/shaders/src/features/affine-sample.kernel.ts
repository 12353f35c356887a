// SPDX-License-Identifier: Apache-2.0
import source from './affine-sample.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { affineMapSnippet, affineSampleParamsSnippet } from '../snippets/index.js';

/**
 * Parity tolerance of affine-sample and its adjoint. Source coordinates may round differently from
 * the f64-blended reference (FMA contraction): about 2^-24 * |coordinate| (<= 1.5e-5 px up to 256
 * px), times the data's slope per pixel (<= 2 for data in [-1, 1]) and a few taps: abs 1e-4.
 */
export const affineTolerance = { abs: 1e-4, rel: 1e-5 } as const;

/**
 * GPU kernel: bilinear resampling of NHWC images `src [n, srcHeight, srcWidth, channels]` through a
 * per-image affine map (`transforms [n][6]`: output pixel (x, y) reads source (m0 x + m1 y + m2,
 * m3 x + m4 y + m5)) into `output [n, outHeight, outWidth, channels]`; taps outside read `fill`.
 * One invocation per output pixel. See affine-sample.wgsl; CPU reference: affineSampleRef.
 */
export const affineSample = defineKernel({
  name: 'affine-sample',
  source,
  workgroupSize: 64,
  bindings: {
    params: {
      uniform: { images: 'u32', srcHeight: 'u32', srcWidth: 'u32', outHeight: 'u32', outWidth: 'u32', channels: 'u32', fill: 'f32' },
    },
    src: { storage: 'read' },
    transforms: { storage: 'read' },
    output: { storage: 'read_write' },
  },
  tolerance: affineTolerance,
  includes: [affineMapSnippet, affineSampleParamsSnippet],
  threads: ({ params }) => params.images * params.outHeight * params.outWidth,
});
