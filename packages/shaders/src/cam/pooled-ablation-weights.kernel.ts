// SPDX-License-Identifier: Apache-2.0
import source from './pooled-ablation-weights.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { kernelVariant } from '../runtime/kernel-variant.js';
import { minMaxTreeSnippet } from '../snippets/index.js';

/**
 * GPU kernel: Ablation-CAM channel weights `[images, channels]` for a tail that is global average
 * pooling + a linear Dense layer (kernel `[channels, classes]`), from the activation, the model's
 * scores and each image's int32 target class, one workgroup per image. This descriptor reads no bias;
 * {@link pooledAblationWeightsFor} gives the one that does. See pooled-ablation-weights.wgsl; CPU
 * reference: pooledAblationWeightsRef.
 */
export const pooledAblationWeights = defineKernel({
  name: 'pooled-ablation-weights',
  source,
  includes: [minMaxTreeSnippet],
  // Small, like cam-map's: software adapters emulate the min tree's barriers lane group by lane group.
  workgroupSize: 32,
  bindings: {
    params: { uniform: { images: 'u32', positions: 'u32', channels: 'u32', classes: 'u32' } },
    act: { storage: 'read' },
    kernel: { storage: 'read' },
    bias: { storage: 'read' },
    scores: { storage: 'read' },
    targets: { storage: 'read' },
    weights: { storage: 'read_write' },
  },
  // f32 sums over <= a few thousand positions and channels; the weight is a difference of two scores
  // divided by the score, so for scores of size O(1) its error is a few u times the sums' magnitudes.
  tolerance: { abs: 1e-4, rel: 1e-4 },
  workgroups: ({ params }) => params.images,
});

/** {@link pooledAblationWeights} reading its bias binding when `hasBias` (the HAS_BIAS override constant). */
export function pooledAblationWeightsFor(hasBias: boolean): typeof pooledAblationWeights {
  return kernelVariant(pooledAblationWeights, { HAS_BIAS: hasBias ? 1 : 0 });
}
