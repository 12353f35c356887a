// SPDX-License-Identifier: Apache-2.0
import source from './feature-mosaic.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { minMaxTreeSnippet } from '../snippets/index.js';

/**
 * GPU kernel: an NHWC activation `[n, h, w, channels]` as one mosaic per image `[n, rows * (h +
 * pad) - pad, cols * (w + pad) - pad]`, slot s showing channel `order[n, s]` min-max normalised to
 * [0, 1]; gaps and empty slots are `background`. One workgroup per (image, slot). See
 * feature-mosaic.wgsl; CPU reference: featureMosaicRef.
 */
export const featureMosaic = defineKernel({
  name: 'feature-mosaic',
  source,
  includes: [minMaxTreeSnippet],
  workgroupSize: 64,
  bindings: {
    params: {
      uniform: { images: 'u32', height: 'u32', width: 'u32', channels: 'u32', rows: 'u32', cols: 'u32', pad: 'u32', background: 'f32' },
    },
    act: { storage: 'read' },
    order: { storage: 'read' },
    mosaic: { storage: 'read_write' },
  },
  // Values in [0, 1] after two f32 roundings (subtract, scale): a few ulp of 1.
  tolerance: { abs: 1e-6, rel: 0 },
  workgroups: ({ params }) => params.images * params.rows * params.cols,
});
