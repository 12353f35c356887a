// SPDX-License-Identifier: Apache-2.0
import source from './magnitude-histogram.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { signSnippet } from '../snippets/index.js';

/**
 * GPU kernel: histogram of signed magnitudes into `bins` u32 counters (zeroed by the caller).
 * See magnitude-histogram.wgsl; CPU reference: {@link magnitudeHistogramRef}.
 */
export const magnitudeHistogram = defineKernel({
  name: 'magnitude-histogram',
  source,
  includes: [signSnippet],
  workgroupSize: 256,
  bindings: {
    params: { uniform: { count: 'u32', sign: 'u32', bins: 'u32', binScale: 'f32' } },
    values: { storage: 'read' },
    histogram: { storage: 'read_write' },
  },
  // Integer counts; the bin index is reproduced exactly by the reference.
  tolerance: { abs: 0, rel: 0 },
  threads: ({ params }) => params.count,
});
