// SPDX-License-Identifier: Apache-2.0
import source from './affine.wgsl';
import { defineKernel } from '../runtime/kernel.js';

/** GPU kernel: output = input * scale + offset. See affine.wgsl; CPU reference: affineRef. */
export const affine = defineKernel({
  name: 'affine',
  source,
  workgroupSize: 256,
  bindings: {
    params: { uniform: { count: 'u32', scale: 'f32', offset: 'f32' } },
    input: { storage: 'read' },
    output: { storage: 'read_write' },
  },
  // One mul + one add in f32, possibly fused: within 1 ulp of the f64 result plus the f32 rounding of inputs.
  tolerance: { abs: 1e-6, rel: 1e-6 },
  threads: ({ params }) => params.count,
});
