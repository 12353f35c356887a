// SPDX-License-Identifier: Apache-2.0
import ablationSource from './ablation-batch.wgsl';
import { defineKernel } from '../runtime/kernel.js';

/** GPU kernel: a batch of Ablation-CAM ablated activations (one channel set to a value per copy). See ablation-batch.wgsl; CPU reference: ablationBatchRef. */
export const ablationBatch = defineKernel({
  name: 'ablation-batch',
  source: ablationSource,
  workgroupSize: 256,
  bindings: {
    params: { uniform: { image: 'u32', channelStart: 'u32', count: 'u32', positions: 'u32', channels: 'u32', value: 'f32' } },
    act: { storage: 'read' },
    output: { storage: 'read_write' },
  },
  // Copies only.
  tolerance: { abs: 0, rel: 0 },
  threads: ({ params }) => params.count * params.positions * params.channels,
});
