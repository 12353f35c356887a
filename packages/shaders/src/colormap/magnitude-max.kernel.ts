// SPDX-License-Identifier: Apache-2.0
import source from './magnitude-max.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { signSnippet } from '../snippets/index.js';
import { ATTRIBUTION_STATS_VALUES_PER_THREAD } from './attribution-stats.kernel.js';

/**
 * GPU kernel: `result[0]` = f32 bits of the largest signed magnitude (see sign.wgsl); the caller
 * zeroes `result` first. See magnitude-max.wgsl; CPU reference: {@link magnitudeMaxRef}.
 */
export const magnitudeMax = defineKernel({
  name: 'magnitude-max',
  source,
  includes: [signSnippet],
  workgroupSize: 256,
  constants: { VALUES_PER_THREAD: ATTRIBUTION_STATS_VALUES_PER_THREAD },
  bindings: {
    params: { uniform: { count: 'u32', sign: 'u32' } },
    values: { storage: 'read' },
    result: { storage: 'read_write' },
  },
  // An exact max over bit patterns.
  tolerance: { abs: 0, rel: 0 },
  threads: ({ params }) => Math.ceil(params.count / ATTRIBUTION_STATS_VALUES_PER_THREAD),
});
