// SPDX-License-Identifier: Apache-2.0
import source from './copy.wgsl';
import { defineKernel } from '../runtime/kernel.js';

/** GPU kernel: output = input (the benchmarks' bandwidth yardstick). See copy.wgsl; CPU reference: copyRef. */
export const copy = defineKernel({
  name: 'copy',
  source,
  workgroupSize: 256,
  bindings: {
    params: { uniform: { count: 'u32' } },
    input: { storage: 'read' },
    output: { storage: 'read_write' },
  },
  // Moves bits: exact.
  tolerance: { abs: 0, rel: 0 },
  threads: ({ params }) => params.count,
});
