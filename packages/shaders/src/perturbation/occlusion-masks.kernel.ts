// SPDX-License-Identifier: Apache-2.0
import source from './occlusion-masks.wgsl';
import { defineKernel } from '../runtime/kernel.js';

const WORKGROUP_SIZE = 256;

/** GPU kernel: keep-masks (0 inside the window) for a run of occlusion windows. See occlusion-masks.wgsl; CPU reference: occlusionMasksRef. */
export const occlusionMasks = defineKernel({
  name: 'occlusion-masks',
  source,
  workgroupSize: WORKGROUP_SIZE,
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
  workgroups: ({ params }) => Math.ceil((params.count * params.height * params.width) / WORKGROUP_SIZE),
});
