// SPDX-License-Identifier: Apache-2.0
import source from './broadcast-mean.wgsl';
import { defineKernel } from '../runtime/kernel.js';

/**
 * GPU kernel: the mean over `positions` of each of `count` values broadcast to every position, summed
 * in order and divided by the count as tfjs-webgpu's AvgPool does (Grad-CAM's weights from a gradient
 * that is the same at every position). See broadcast-mean.wgsl; CPU reference: broadcastMeanRef.
 */
export const broadcastMean = defineKernel({
  name: 'broadcast-mean',
  source,
  // A 28x28 model's Grad-CAM has 64 values (one per channel): one workgroup. On SwiftShader (session
  // 19) 64 / 32 / 16 invocations took 0.038 / 0.041 / 0.048 ms for 64 values of 49 positions.
  workgroupSize: 64,
  bindings: {
    params: { uniform: { count: 'u32', positions: 'u32' } },
    values: { storage: 'read' },
    output: { storage: 'read_write' },
  },
  // The reference repeats the f32 adds exactly; WGSL lets f32 division be off by 2.5 ulp (2.5 * 2^-23 relative).
  tolerance: { abs: 0, rel: 3e-7 },
  threads: ({ params }) => params.count,
});
