// SPDX-License-Identifier: Apache-2.0
import source from './gradcam-pp-weights.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { kernelVariant } from '../runtime/kernel-variant.js';

/**
 * GPU kernel: Grad-CAM++ channel weights from activations and gradients of the activation's shape.
 * {@link gradcamPpWeightsFor} gives the variant reading one gradient value per channel. See
 * gradcam-pp-weights.wgsl; CPU reference: gradcamPpWeightsRef.
 */
export const gradcamPpWeights = defineKernel({
  name: 'gradcam-pp-weights',
  source,
  workgroupSize: 64,
  bindings: {
    params: { uniform: { images: 'u32', positions: 'u32', channels: 'u32' } },
    act: { storage: 'read' },
    grad: { storage: 'read' },
    weights: { storage: 'read_write' },
  },
  // Sequential f32 sums over <= 3136 positions: ~positions * u relative to sum |terms| (~2e-4 worst
  // case, typically sqrt(positions) * u); alpha's division can amplify when 2g^2 + S g^3 nearly cancels.
  tolerance: { abs: 1e-5, rel: 1e-4 },
  threads: ({ params }) => params.images * params.channels,
});

/**
 * {@link gradcamPpWeights} reading `grad` as `[images, channels]`, the same at every position, when
 * `perPosition` is false (the GRADIENT_PER_POSITION override constant: no dead branch on software adapters).
 */
export function gradcamPpWeightsFor(perPosition: boolean): typeof gradcamPpWeights {
  return perPosition ? gradcamPpWeights : kernelVariant(gradcamPpWeights, { GRADIENT_PER_POSITION: 0 });
}
