// SPDX-License-Identifier: Apache-2.0
import source from './fill.wgsl';
import { defineKernel } from '../runtime/kernel.js';

/** GPU kernel: output[0..count) = value. See fill.wgsl; CPU reference: fillRef. */
export const fill = defineKernel({
  name: 'fill',
  source,
  workgroupSize: 256,
  bindings: {
    params: { uniform: { count: 'u32', value: 'f32' } },
    output: { storage: 'read_write' },
  },
  tolerance: { abs: 0, rel: 0 }, // a stored constant is exact
  threads: ({ params }) => params.count,
});
