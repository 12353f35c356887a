// SPDX-License-Identifier: Apache-2.0
import source from './heatmap-params.wgsl';
import { defineKernel } from '../runtime/kernel.js';

/**
 * GPU kernel: the colour scale, percentile clip and top-k threshold computed on the GPU from
 * attribution-stats and magnitude-histogram, written as the uniform structs of magnitude-histogram
 * (stage 0) and of colormap-apply, topk-mask and heatmap-blend (stage 1). See heatmap-params.wgsl;
 * CPU reference: {@link heatmapParamsRef}.
 */
export const heatmapParams = defineKernel({
  name: 'heatmap-params',
  source,
  workgroupSize: 1,
  bindings: {
    params: {
      uniform: {
        stage: 'u32',
        count: 'u32',
        width: 'u32',
        height: 'u32',
        sign: 'u32',
        bins: 'u32',
        clipRank: 'u32',
        thresholdRank: 'u32',
        hasRange: 'u32',
        range: 'f32',
        reversed: 'u32',
        mode: 'u32',
        opacity: 'f32',
        contourColor: 'u32',
      },
    },
    stats: { storage: 'read_write' },
    histogram: { storage: 'read' },
    histogramParams: { storage: 'read_write' },
    colormapParams: { storage: 'read_write' },
    topkParams: { storage: 'read_write' },
    blendParams: { storage: 'read_write' },
  },
  // binScale, clip value and scale: f32 division (2.5 ULP) and product vs the f64 path rounded once.
  tolerance: { abs: 0, rel: 1e-6 },
  workgroups: () => 1,
});
