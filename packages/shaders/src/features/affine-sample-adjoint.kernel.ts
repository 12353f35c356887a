// SPDX-License-Identifier: Apache-2.0
import source from './affine-sample-adjoint.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { affineFootprintSnippet } from '../snippets/index.js';
import { affineTolerance } from './affine-sample.kernel.js';

/**
 * GPU kernel: the transpose of {@link affineSample} (without its constant fill term): maps a
 * gradient `grad [n, outHeight, outWidth, channels]` to `gradSrc [n, srcHeight, srcWidth,
 * channels]` for the same `transforms`, by gathering over each source pixel's footprint (no
 * atomics), scanning only the candidates the footprint can reach and summing in registers (fast on
 * software adapters); one invocation per 2 x 2 block of source pixels, whose gathers share their
 * candidates. See affine-sample-adjoint.wgsl; CPU reference: affineSampleAdjointRef.
 */
export const affineSampleAdjoint = defineKernel({
  name: 'affine-sample-adjoint',
  source,
  workgroupSize: 64,
  bindings: {
    params: { uniform: { images: 'u32', srcHeight: 'u32', srcWidth: 'u32', outHeight: 'u32', outWidth: 'u32', channels: 'u32' } },
    grad: { storage: 'read' },
    transforms: { storage: 'read' },
    gradSrc: { storage: 'read_write' },
  },
  tolerance: affineTolerance,
  includes: [affineFootprintSnippet],
  threads: ({ params }) => params.images * Math.ceil(params.srcHeight / 2) * Math.ceil(params.srcWidth / 2),
});
