// SPDX-License-Identifier: Apache-2.0
import source from './attribution-stats.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { signSnippet } from '../snippets/index.js';

/** Values each invocation reduces in registers before its atomics (see attribution-stats.wgsl). */
export const ATTRIBUTION_STATS_VALUES_PER_THREAD = 16;

/**
 * GPU kernel: value range, largest signed magnitude and non-finite count of an attribution map, in
 * one reduction into 5 u32 words (initialise them with {@link ATTRIBUTION_STATS_INIT}; decode with
 * {@link decodeAttributionStats}). See attribution-stats.wgsl; CPU reference: {@link attributionStatsRef}.
 */
export const attributionStats = defineKernel({
  name: 'attribution-stats',
  source,
  includes: [signSnippet],
  workgroupSize: 256,
  constants: { VALUES_PER_THREAD: ATTRIBUTION_STATS_VALUES_PER_THREAD },
  bindings: {
    params: { uniform: { count: 'u32', sign: 'u32' } },
    values: { storage: 'read' },
    stats: { storage: 'read_write' },
  },
  // Exact min/max over bit patterns and an integer count.
  tolerance: { abs: 0, rel: 0 },
  threads: ({ params }) => Math.ceil(params.count / ATTRIBUTION_STATS_VALUES_PER_THREAD),
});
