// SPDX-License-Identifier: Apache-2.0
import source from './adam-ascend.wgsl';
import { defineKernel } from '../runtime/kernel.js';

/**
 * GPU kernel: one Adam ascent step for `count` parameters, `x`, `gradient`, `m`, `v` -> `xNext`,
 * `mNext`, `vNext`, with the bias corrections in `rate` (see adam-ascend.wgsl). CPU reference: adamAscendRef.
 */
export const adamAscend = defineKernel({
  name: 'adam-ascend',
  source,
  workgroupSize: 256,
  bindings: {
    params: { uniform: { count: 'u32', beta1: 'f32', beta2: 'f32', epsilon: 'f32', rate: 'f32' } },
    x: { storage: 'read' },
    gradient: { storage: 'read' },
    m: { storage: 'read' },
    v: { storage: 'read' },
    xNext: { storage: 'read_write' },
    mNext: { storage: 'read_write' },
    vNext: { storage: 'read_write' },
  },
  // Each value is a few f32 roundings (and a sqrt) of order-1 quantities; the step m / sqrt(v) is
  // within 1 of rate in size, and v = g^2-sized sums can lose 1e-7 relative: abs 1e-6 + rel 1e-5.
  tolerance: { abs: 1e-6, rel: 1e-5 },
  threads: ({ params }) => params.count,
});
