// SPDX-License-Identifier: Apache-2.0
import source from './perturb-batch.wgsl';
import { defineKernel } from '../runtime/kernel.js';

function definePerturb(perPixel: boolean) {
  return defineKernel({
    name: 'perturb-batch',
    source,
    workgroupSize: 256,
    constants: { PER_PIXEL: perPixel ? 1 : 0 },
    bindings: {
      params: { uniform: { count: 'u32', pixels: 'u32', channels: 'u32', maskStride: 'u32', sampleOffset: 'u32', outOffset: 'u32' } },
      image: { storage: 'read' },
      fillImage: { storage: 'read' },
      segments: { storage: 'read' },
      masks: { storage: 'read' },
      output: { storage: 'read_write' },
    },
    // Exact for binary masks; fractional masks: one sub, mul and add in f32.
    tolerance: { abs: 1e-6, rel: 1e-6 },
    threads: ({ params }) => params.count * params.pixels * params.channels,
  });
}

/**
 * GPU kernels: a batch of perturbed images from an image, a fill image and mask rows, written
 * NHWC at an image offset of the output buffer. `segments` masks are indexed by the segment map
 * (one entry per superpixel); `pixels` masks have one entry per pixel (`segments` is unused but
 * must be bound). See perturb-batch.wgsl; CPU reference: perturbBatchRef.
 */
export const perturbBatch = { segments: definePerturb(false), pixels: definePerturb(true) } as const;
