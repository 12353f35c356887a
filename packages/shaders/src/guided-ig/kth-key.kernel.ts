// SPDX-License-Identifier: Apache-2.0
import source from './kth-key.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { f32Snippet } from '../snippets/index.js';

/** Largest key kth-key.wgsl counts (its MAX_KEY; at most 2^14, the size of its workgroup bins). */
export const KTH_KEY_MAX = 2 ** 14;

/**
 * GPU kernel: per row of integer keys in [0, KTH_KEY_MAX] or +Inf, the `rank`-th smallest key
 * (rank 1 = the smallest), +Inf when fewer than `rank` keys are finite. One workgroup per row,
 * a two-level radix select in workgroup memory (see kth-key.wgsl). CPU reference: kthKeyRef.
 */
export const kthKey = defineKernel({
  name: 'kth-key',
  source,
  includes: [f32Snippet],
  workgroupSize: 256,
  constants: { MAX_KEY: KTH_KEY_MAX },
  bindings: {
    params: { uniform: { rows: 'u32', rowLength: 'u32', rank: 'u32' } },
    keys: { storage: 'read' },
    output: { storage: 'read_write' },
  },
  // Integer counts and a selected integer: exact.
  tolerance: { abs: 0, rel: 0 },
  workgroups: ({ params }) => params.rows,
});
