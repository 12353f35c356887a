// SPDX-License-Identifier: Apache-2.0
import source from './ranked-masks.wgsl';
import { defineKernel } from '../runtime/kernel.js';

function defineRanked(insertion: boolean) {
  return defineKernel({
    name: 'ranked-masks',
    source,
    workgroupSize: 256,
    constants: { INSERTION: insertion ? 1 : 0 },
    bindings: {
      params: { uniform: { count: 'u32', pixels: 'u32', steps: 'u32', firstStep: 'u32' } },
      ranks: { storage: 'read' },
      masks: { storage: 'read_write' },
    },
    // Discrete output: exact.
    tolerance: { abs: 0, rel: 0 },
    threads: ({ params }) => params.pixels,
  });
}

/**
 * GPU kernels: the keep-masks of steps firstStep .. firstStep + count - 1 of a deletion or an
 * insertion curve, from per-pixel ranks. See ranked-masks.wgsl; CPU reference: rankedMasksRef.
 */
export const rankedMasks = { deletion: defineRanked(false), insertion: defineRanked(true) } as const;
