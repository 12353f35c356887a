// SPDX-License-Identifier: Apache-2.0
import source from './blur-ig-accumulate.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { pathBatchSnippet } from '../snippets/index.js';
import { pathBatchImages } from '../integrated-gradients/ig-accumulate.kernel.js';

/** GPU kernel: Blur IG's weighted (d blur / d sigma) * gradient accumulation. See blur-ig-accumulate.wgsl; CPU reference: blurIgAccumulateRef. */
export const blurIgAccumulate = defineKernel({
  name: 'blur-ig-accumulate',
  source,
  includes: [pathBatchSnippet],
  workgroupSize: 256,
  bindings: {
    params: { uniform: { elementCount: 'u32', pointCount: 'u32', firstPoint: 'u32', pointsPerImage: 'u32', invGradStep: 'f32' } },
    weights: { storage: 'read' },
    points: { storage: 'read' },
    ahead: { storage: 'read' },
    gradients: { storage: 'read' },
    attribution: { storage: 'read_write' },
  },
  // The difference (ahead - points) cancels: its f32 rounding (u * |points|) is amplified by
  // 1 / gradStep; the tests use |points| <= 2, gradStep 0.01 and weights <= 0.5.
  tolerance: { abs: 2e-4, rel: 1e-4 },
  threads: ({ params }) => pathBatchImages(params.firstPoint, params.pointCount, params.pointsPerImage).count * params.elementCount,
});
