// SPDX-License-Identifier: Apache-2.0
import rangeSource from './scorecam-range.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { bilinearSnippet, f32Snippet } from '../snippets/index.js';

/** GPU kernel: min and max of each align-corners-upsampled activation channel. See scorecam-range.wgsl; CPU reference: scorecamRangesRef. */
export const scorecamRange = defineKernel({
  name: 'scorecam-range',
  source: rangeSource,
  includes: [f32Snippet, bilinearSnippet],
  workgroupSize: 64,
  bindings: {
    params: { uniform: { images: 'u32', height: 'u32', width: 'u32', channels: 'u32', outHeight: 'u32', outWidth: 'u32' } },
    act: { storage: 'read' },
    ranges: { storage: 'read_write' },
  },
  // Extremes of f32 lerps (f64 in the reference): a few ulps.
  tolerance: { abs: 1e-6, rel: 1e-6 },
  threads: ({ params }) => params.images * params.channels,
});
