// SPDX-License-Identifier: Apache-2.0
import source from './guided-ig-select.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { guidedIgKeysSnippet, minMaxTreeSnippet } from '../snippets/index.js';

/** Bits of Guided IG's |gradient| grid: keys are integers in [0, 2^GUIDED_IG_SELECT_KEY_BITS] (at most 14: the kernel's bins). */
export const GUIDED_IG_SELECT_KEY_BITS = 14;

/**
 * GPU kernel: Guided IG's selection per row (image) of `gradient`, `x`, `xMax` [rows, rowLength]:
 * 1.0 where the feature is not at x_max and its quantised |gradient| key is at most the `rank`-th
 * smallest key of the row (1 = the smallest), else 0.0. One workgroup per row: the row's largest
 * |gradient|, then a two-level radix select of the keys in workgroup memory (guided-ig-keys.wgsl,
 * shared with guided-ig-step). CPU reference: guidedIgSelectRef.
 */
export const guidedIgSelect = defineKernel({
  name: 'guided-ig-select',
  source,
  includes: [guidedIgKeysSnippet, minMaxTreeSnippet],
  workgroupSize: 256,
  constants: { KEY_BITS: GUIDED_IG_SELECT_KEY_BITS },
  bindings: {
    params: { uniform: { rows: 'u32', rowLength: 'u32', rank: 'u32' } },
    gradient: { storage: 'read' },
    x: { storage: 'read' },
    xMax: { storage: 'read' },
    selected: { storage: 'read_write' },
  },
  // Keys are one correctly rounded division and a round each, counts are integers: exact.
  tolerance: { abs: 0, rel: 0 },
  workgroups: ({ params }) => params.rows,
});
