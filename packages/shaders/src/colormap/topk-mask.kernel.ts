// SPDX-License-Identifier: Apache-2.0
import source from './topk-mask.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { signSnippet } from '../snippets/index.js';

/**
 * GPU kernel: top-k% mask (0 outside, 1 inside, 2 contour) of an attribution map.
 * See topk-mask.wgsl; CPU reference: {@link topkMaskRef}.
 */
export const topkMask = defineKernel({
  name: 'topk-mask',
  source,
  includes: [signSnippet],
  workgroupSize: 256,
  bindings: {
    params: {
      uniform: { width: 'u32', height: 'u32', sign: 'u32', bins: 'u32', binScale: 'f32', thresholdBin: 'i32' },
    },
    values: { storage: 'read' },
    mask: { storage: 'read_write' },
  },
  // Discrete labels: exact.
  tolerance: { abs: 0, rel: 0 },
  threads: ({ params }) => params.width * params.height,
});
