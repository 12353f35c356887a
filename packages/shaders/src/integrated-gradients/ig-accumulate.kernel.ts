// SPDX-License-Identifier: Apache-2.0
import source from './ig-accumulate.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { pathBatchSnippet } from '../snippets/index.js';

/** Images a batch of `pointCount` points from `firstPoint` touches. */
export function pathBatchImages(firstPoint: number, pointCount: number, pointsPerImage: number): { first: number; count: number } {
  const first = Math.floor(firstPoint / pointsPerImage);
  const last = Math.floor((firstPoint + pointCount - 1) / pointsPerImage);
  return { first, count: last - first + 1 };
}

/**
 * GPU kernel: attribution += w_t (x - b_t) grad_t over one batch of path points. See
 * ig-accumulate.wgsl; CPU reference: igAccumulateRef.
 */
export const igAccumulate = defineKernel({
  name: 'ig-accumulate',
  source,
  includes: [pathBatchSnippet],
  workgroupSize: 256,
  bindings: {
    params: { uniform: { elementCount: 'u32', pointCount: 'u32', firstPoint: 'u32', pointsPerImage: 'u32' } },
    input: { storage: 'read' },
    baselines: { storage: 'read' },
    plan: { storage: 'read' },
    gradients: { storage: 'read' },
    attribution: { storage: 'read_write' },
  },
  // (k + 3) u * sum|terms| with k <= 64 and sum|terms| <= 2: 67 * 2^-24 * 2 < 1e-5.
  tolerance: { abs: 1e-5, rel: 1e-5 },
  threads: ({ params }) => pathBatchImages(params.firstPoint, params.pointCount, params.pointsPerImage).count * params.elementCount,
});
