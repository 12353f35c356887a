// SPDX-License-Identifier: Apache-2.0
import source from './noise-points.wgsl';
import { defineKernel } from '../runtime/kernel.js';

/** GPU kernel: normal noise -> noisy input samples, in place. See noise-points.wgsl; CPU reference: noisePointsRef. */
export const noisePoints = defineKernel({
  name: 'noise-points',
  source,
  workgroupSize: 256,
  bindings: {
    params: { uniform: { elementCount: 'u32', pointCount: 'u32', firstPoint: 'u32', imageCount: 'u32', noiseLevel: 'f32' } },
    input: { storage: 'read' },
    minima: { storage: 'read' },
    maxima: { storage: 'read' },
    points: { storage: 'read_write' },
  },
  // A few roundings of values up to ~8 in magnitude (|x| <= 2, |sigma z| <= 6 in the tests).
  tolerance: { abs: 4e-6, rel: 1e-6 },
  threads: ({ params }) => params.pointCount * params.elementCount,
});
