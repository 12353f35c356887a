// SPDX-License-Identifier: Apache-2.0
import source from './affine-sample-adjoint-rows.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { affineMapSnippet } from '../snippets/index.js';
import { affineTolerance } from '../features/affine-sample.kernel.js';

/**
 * GPU kernel: the transpose of affineSample, as affineSampleAdjoint (same bindings, same sum in the
 * same order) but scanning each candidate row only where the footprint can reach and summing in
 * registers: several times faster on software adapters, for feature visualisation's per-step
 * gradient. See affine-sample-adjoint-rows.wgsl; CPU reference: affineSampleAdjointRowsRef.
 */
export const affineSampleAdjointRows = defineKernel({
  name: 'affine-sample-adjoint-rows',
  source,
  workgroupSize: 64,
  bindings: {
    params: { uniform: { images: 'u32', srcHeight: 'u32', srcWidth: 'u32', outHeight: 'u32', outWidth: 'u32', channels: 'u32' } },
    grad: { storage: 'read' },
    transforms: { storage: 'read' },
    gradSrc: { storage: 'read_write' },
  },
  tolerance: affineTolerance,
  includes: [affineMapSnippet],
  threads: ({ params }) => params.images * params.srcHeight * params.srcWidth,
});
