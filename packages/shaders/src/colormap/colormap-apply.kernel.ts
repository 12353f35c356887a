// SPDX-License-Identifier: Apache-2.0
import source from './colormap-apply.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { signSnippet } from '../snippets/index.js';

/**
 * GPU kernel: attribution values -> packed RGBA8 colours through a 256-entry LUT.
 * See colormap-apply.wgsl; scale from {@link colormapScale}; CPU reference: {@link colormapApplyRef}.
 */
export const colormapApply = defineKernel({
  name: 'colormap-apply',
  source,
  includes: [signSnippet],
  workgroupSize: 256,
  bindings: {
    params: { uniform: { count: 'u32', sign: 'u32', scale: 'f32', reversed: 'u32' } },
    values: { storage: 'read' },
    lut: { storage: 'read' },
    colors: { storage: 'read_write' },
  },
  // Per 8-bit channel of the unpacked colours: exact (the LUT index is reproduced bit for bit).
  tolerance: { abs: 0, rel: 0 },
  threads: ({ params }) => params.count,
});
