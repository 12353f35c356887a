// SPDX-License-Identifier: Apache-2.0
import source from './ig-path-points.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { pathBatchSnippet } from '../snippets/index.js';

/**
 * GPU kernel: a batch of IG path points from the packed path plan. See ig-path-points.wgsl;
 * CPU reference: igPathPointsRef.
 */
export const igPathPoints = defineKernel({
  name: 'ig-path-points',
  source,
  includes: [pathBatchSnippet],
  workgroupSize: 256,
  bindings: {
    params: { uniform: { elementCount: 'u32', pointCount: 'u32', firstPoint: 'u32', pointsPerImage: 'u32' } },
    input: { storage: 'read' },
    baselines: { storage: 'read' },
    plan: { storage: 'read' },
    points: { storage: 'read_write' },
  },
  // 3 roundings of values up to 4 in magnitude: 3 * 2^-24 * 8 < 2e-6.
  tolerance: { abs: 2e-6, rel: 1e-6 },
  threads: ({ params }) => params.pointCount * params.elementCount,
});
