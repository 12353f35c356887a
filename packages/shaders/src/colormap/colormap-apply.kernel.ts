// SPDX-License-Identifier: Apache-2.0
import body from './colormap-apply.wgsl';
import sign from './sign.wgsl';
import { defineKernel } from '../runtime/kernel.js';

const WORKGROUP_SIZE = 256;

/**
 * GPU kernel: attribution values -> packed RGBA8 colours through a 256-entry LUT.
 * See colormap-apply.wgsl; scale from {@link colormapScale}; CPU reference: {@link colormapApplyRef}.
 */
export const colormapApply = defineKernel({
  name: 'colormap-apply',
  source: `${sign}\n${body}`,
  workgroupSize: WORKGROUP_SIZE,
  bindings: {
    params: { uniform: { count: 'u32', sign: 'u32', scale: 'f32', reversed: 'u32' } },
    values: { storage: 'read' },
    lut: { storage: 'read' },
    colors: { storage: 'read_write' },
  },
  // Per 8-bit channel of the unpacked colours: exact (the LUT index is reproduced bit for bit).
  tolerance: { abs: 0, rel: 0 },
  workgroups: ({ params }) => Math.ceil(params.count / WORKGROUP_SIZE),
});
