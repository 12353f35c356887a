// SPDX-License-Identifier: Apache-2.0
import source from './rise-masks.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { pixelGridSnippet } from '../snippets/index.js';

/** GPU kernel: RISE masks from binary grids and shifts. See rise-masks.wgsl; CPU reference: riseMasksRef. */
export const riseMasks = defineKernel({
  name: 'rise-masks',
  source,
  includes: [pixelGridSnippet],
  workgroupSize: 256,
  bindings: {
    params: { uniform: { count: 'u32', height: 'u32', width: 'u32', gridH: 'u32', gridW: 'u32', cell: 'u32', sampleOffset: 'u32' } },
    grids: { storage: 'read' },
    shifts: { storage: 'read' },
    masks: { storage: 'read_write' },
  },
  // Bilinear weights in f32 (the source coordinate is rounded once or twice): values in [0, 1].
  tolerance: { abs: 2e-6, rel: 0 },
  threads: ({ params }) => params.count * params.height * params.width,
});
