// SPDX-License-Identifier: Apache-2.0
import source from './direct-max-pool.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { POOL_QUADS_UNIFORM, poolQuadsSnippet } from './pool-quads.js';

/**
 * GPU kernel: 2-D max pooling (NHWC, dilation 1) of a feature map whose channel count is a multiple
 * of 4, computed as tfjs-webgpu 4.22's Pool2DProgram computes it (same start value, same window
 * order, same max() calls: the same bits on the same device), 4 channels per invocation without
 * workgroup memory or barriers (fast on software adapters). See direct-max-pool.wgsl; CPU reference:
 * directMaxPoolRef. Bind `x` (input) and `y` (output, every element written); `params` is
 * poolQuadsParams.
 */
export const directMaxPool = defineKernel({
  name: 'direct-max-pool',
  source,
  includes: [poolQuadsSnippet],
  workgroupSize: 64,
  bindings: {
    params: { uniform: POOL_QUADS_UNIFORM },
    x: { storage: 'read' },
    y: { storage: 'read_write' },
  },
  // Comparisons only: exact for finite and infinite inputs (NaN: the device's max(); see the .wgsl).
  tolerance: { abs: 0, rel: 0 },
  threads: ({ params }) => params.count,
});
