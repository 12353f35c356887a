// SPDX-License-Identifier: Apache-2.0
import masksSource from './scorecam-masks.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { bilinearSnippet } from '../snippets/index.js';

const MASKS_WORKGROUP = 256;

/** GPU kernel: a batch of Score-CAM masked images (image x normalised upsampled channel). See scorecam-masks.wgsl; CPU reference: scorecamMasksRef. */
export const scorecamMasks = defineKernel({
  name: 'scorecam-masks',
  source: masksSource,
  includes: [bilinearSnippet],
  workgroupSize: MASKS_WORKGROUP,
  bindings: {
    params: {
      uniform: {
        image: 'u32',
        channelStart: 'u32',
        count: 'u32',
        height: 'u32',
        width: 'u32',
        channels: 'u32',
        outHeight: 'u32',
        outWidth: 'u32',
        imageChannels: 'u32',
      },
    },
    images: { storage: 'read' },
    act: { storage: 'read' },
    ranges: { storage: 'read' },
    output: { storage: 'read_write' },
  },
  // A lerp, a division (relative error of the normaliser) and a product.
  tolerance: { abs: 1e-6, rel: 1e-5 },
  threads: ({ params }) => params.count * params.outHeight * params.outWidth,
});
