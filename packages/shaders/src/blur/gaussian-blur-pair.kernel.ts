// SPDX-License-Identifier: Apache-2.0
import source from './gaussian-blur-pair.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { blurTapsSnippet } from './blur-taps.js';
import { gaussianBlurAxis } from './gaussian-blur-axis.kernel.js';

/** Outputs per invocation along the blurred axis (RUN in gaussian-blur-pair.wgsl). */
const RUN_LENGTH = 4;

function define(axis: 0 | 1, sourceFromPlan: boolean) {
  return defineKernel({
    name: 'gaussian-blur-pair',
    source,
    includes: [blurTapsSnippet],
    workgroupSize: 256,
    constants: { AXIS: axis, SOURCE_FROM_PLAN: sourceFromPlan ? 1 : 0 },
    bindings: {
      params: {
        uniform: { height: 'u32', width: 'u32', channels: 'u32', pointCount: 'u32', firstPoint: 'u32', stride: 'u32', aheadOffset: 'u32' },
      },
      plan: { storage: 'read' },
      weights: { storage: 'read' },
      input: { storage: 'read' },
      inputAhead: { storage: 'read' },
      output: { storage: 'read_write' },
      outputAhead: { storage: 'read_write' },
    },
    // Each output is gaussian-blur-axis's sum, same taps in the same order.
    tolerance: gaussianBlurAxis.height.tolerance,
    // One invocation per run of RUN_LENGTH outputs along the axis (the WGSL's RUN).
    threads: ({ params }) => {
      const extent = axis === 0 ? params.height : params.width;
      const lines = (params.height * params.width * params.channels) / extent;
      return params.pointCount * lines * Math.ceil(extent / RUN_LENGTH);
    },
  });
}

/**
 * gaussianBlurAxis for a pair of plans sharing their source rows (packBlurPairPlan): each pass
 * writes both plans' outputs in one dispatch, the first reading each source value once for both.
 * `height` binds the source as `input` and `inputAhead`; `width` binds the first pass's two outputs.
 * See gaussian-blur-pair.wgsl; CPU reference: gaussianBlurPairRef.
 */
export const gaussianBlurPair = { height: define(0, true), width: define(1, false) } as const;
