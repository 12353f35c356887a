// SPDX-License-Identifier: Apache-2.0
import source from './finite-readout.wgsl';
import { defineKernel } from '../runtime/kernel.js';

/**
 * GPU kernel: `[first all finite, second all finite, ...values, ...values2, ...values3]` in one
 * dispatch of one workgroup (a single-image explanation's readback: input check, score check, peaks,
 * classes, a small result's host copy: no Concat of the parts). See
 * finite-readout.wgsl; CPU reference: finiteReadoutRef.
 */
export const finiteReadout = defineKernel({
  name: 'finite-readout',
  source,
  // One workgroup, small: software adapters run it on one thread in groups of a few lanes and emulate
  // its barrier group by group. On SwiftShader (session 19, timestamps, load 5-6) a CAM's readout
  // (784 checked + 786 copied values) took 0.17-0.20 ms at 64 invocations, 0.07 at 32, 0.06-0.07 at
  // 16 and 8; saliency's (794 checked + 785 copied) 0.08-0.12 / 0.06-0.10 / 0.05-0.07 / 0.05-0.07.
  workgroupSize: 16,
  bindings: {
    params: {
      uniform: {
        firstCount: 'u32',
        secondCount: 'u32',
        valueCount: 'u32',
        valuesInt: 'u32',
        value2Count: 'u32',
        values2Int: 'u32',
        value3Count: 'u32',
        values3Int: 'u32',
      },
    },
    first: { storage: 'read' },
    second: { storage: 'read' },
    values: { storage: 'read' },
    output: { storage: 'read_write' },
    values2: { storage: 'read' },
    values3: { storage: 'read' },
  },
  // Flags and copied values (or i32 -> f32 conversions, exact below 2^24): exact.
  tolerance: { abs: 0, rel: 0 },
  workgroups: () => 1,
});
