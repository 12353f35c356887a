// SPDX-License-Identifier: Apache-2.0
import source from './gaussian-blur-axis.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { blurTapsSnippet } from './blur-taps.js';

function define(axis: 0 | 1, sourceFromPlan: boolean) {
  return defineKernel({
    name: 'gaussian-blur-axis',
    source,
    includes: [blurTapsSnippet],
    workgroupSize: 256,
    constants: { AXIS: axis, SOURCE_FROM_PLAN: sourceFromPlan ? 1 : 0 },
    bindings: {
      params: { uniform: { height: 'u32', width: 'u32', channels: 'u32', pointCount: 'u32', firstPoint: 'u32', stride: 'u32' } },
      plan: { storage: 'read' },
      weights: { storage: 'read' },
      input: { storage: 'read' },
      output: { storage: 'read_write' },
    },
    // (2r + 2) u * max|x| for r <= 200 and |x| <= 2: 402 * 2^-24 * 2 < 5e-5; weights rounded to f32 add u.
    tolerance: { abs: 5e-5, rel: 1e-5 },
    threads: ({ params }) => params.pointCount * params.height * params.width * params.channels,
  });
}

/**
 * The two passes of a separable Gaussian blur: `height` reads the plan's source rows, `width`
 * reads the first pass's output row by row. See gaussian-blur-axis.wgsl; CPU reference:
 * gaussianBlurAxisRef.
 */
export const gaussianBlurAxis = { height: define(0, true), width: define(1, false) } as const;
