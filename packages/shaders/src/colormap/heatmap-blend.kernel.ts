// SPDX-License-Identifier: Apache-2.0
import source from './heatmap-blend.wgsl';
import { defineKernel } from '../runtime/kernel.js';

/**
 * GPU kernel: image + colours + mask -> the displayed RGBA8 picture, per display mode.
 * See heatmap-blend.wgsl; CPU reference: {@link heatmapBlendRef}.
 */
export const heatmapBlend = defineKernel({
  name: 'heatmap-blend',
  source,
  workgroupSize: 256,
  bindings: {
    params: { uniform: { width: 'u32', height: 'u32', mode: 'u32', opacity: 'f32', contourColor: 'u32' } },
    image: { storage: 'read' },
    colors: { storage: 'read' },
    mask: { storage: 'read' },
    output: { storage: 'read_write' },
  },
  // Per unpacked 8-bit channel: f32 vs f64 may round a half-way blend differently (1 LSB).
  tolerance: { abs: 1, rel: 0 },
  threads: ({ params }) => params.width * params.height,
});
