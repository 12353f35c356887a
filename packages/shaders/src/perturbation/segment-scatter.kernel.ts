// SPDX-License-Identifier: Apache-2.0
import source from './segment-scatter.wgsl';
import { defineKernel } from '../runtime/kernel.js';

/** GPU kernel: out[offset + p] = values[segments[p]]. See segment-scatter.wgsl; CPU reference: segmentScatterRef. */
export const segmentScatter = defineKernel({
  name: 'segment-scatter',
  source,
  workgroupSize: 256,
  bindings: {
    params: { uniform: { pixels: 'u32', outOffset: 'u32' } },
    segments: { storage: 'read' },
    values: { storage: 'read' },
    output: { storage: 'read_write' },
  },
  // A copy: exact.
  tolerance: { abs: 0, rel: 0 },
  threads: ({ params }) => params.pixels,
});
