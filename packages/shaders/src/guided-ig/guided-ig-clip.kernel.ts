// SPDX-License-Identifier: Apache-2.0
import source from './guided-ig-clip.wgsl';
import { defineKernel } from '../runtime/kernel.js';

/**
 * GPU kernel: Guided IG's catch-up, elementwise over [rows, rowLength]: x_min where the image is
 * still going and (x - xBase) / diff < alphaMin (diff != 0), else x. See guided-ig-clip.wgsl; CPU
 * reference: guidedIgClipRef.
 */
export const guidedIgClip = defineKernel({
  name: 'guided-ig-clip',
  source,
  workgroupSize: 64,
  bindings: {
    params: { uniform: { rows: 'u32', rowLength: 'u32', alphaMin: 'f32' } },
    x: { storage: 'read' },
    xBase: { storage: 'read' },
    diff: { storage: 'read' },
    xMin: { storage: 'read' },
    going: { storage: 'read' },
    clipped: { storage: 'read_write' },
  },
  // A choice between two inputs by a comparison of correctly rounded f32 operations: exact.
  tolerance: { abs: 0, rel: 0 },
  threads: ({ params }) => params.rows * params.rowLength,
});
