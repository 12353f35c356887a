// SPDX-License-Identifier: Apache-2.0
import source from './occlusion-masks.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { pixelGridSnippet } from '../snippets/index.js';

/** GPU kernel: keep-masks (0 inside the window) for a run of occlusion windows. See occlusion-masks.wgsl; CPU reference: occlusionMasksRef. */
export const occlusionMasks = defineKernel({
  name: 'occlusion-masks',
  source,
  includes: [pixelGridSnippet],
  workgroupSize: 256,
  bindings: {
    params: {
      uniform: {
        count: 'u32',
        height: 'u32',
        width: 'u32',
        windowH: 'u32',
        windowW: 'u32',
        strideY: 'u32',
        strideX: 'u32',
        windowsPerRow: 'u32',
        firstWindow: 'u32',
      },
    },
    masks: { storage: 'read_write' },
  },
  // Discrete output: exact.
  tolerance: { abs: 0, rel: 0 },
  threads: ({ params }) => params.count * params.height * params.width,
});
