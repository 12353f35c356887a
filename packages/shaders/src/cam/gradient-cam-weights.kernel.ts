// SPDX-License-Identifier: Apache-2.0
import source from './gradient-cam-weights.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { kernelVariant } from '../runtime/kernel-variant.js';

/**
 * GPU kernel: Grad-CAM++ channel weights from activations and gradients of the activation's shape.
 * {@link gradientCamWeightsFor} gives XGrad-CAM's and the variants reading one gradient value per
 * channel. See gradient-cam-weights.wgsl; CPU references: gradcamPpWeightsRef, xgradCamWeightsRef.
 */
export const gradientCamWeights = defineKernel({
  name: 'gradient-cam-weights',
  source,
  workgroupSize: 64,
  bindings: {
    params: { uniform: { images: 'u32', positions: 'u32', channels: 'u32' } },
    act: { storage: 'read' },
    grad: { storage: 'read' },
    weights: { storage: 'read_write' },
  },
  // Sequential f32 sums over <= 3136 positions: ~positions * u relative to sum |terms| (~2e-4 worst
  // case, typically sqrt(positions) * u); Grad-CAM++'s alpha division can amplify when 2g^2 + S g^3
  // nearly cancels, XGrad-CAM's when sum_p g A cancels (relative to sum |g A|).
  tolerance: { abs: 1e-5, rel: 1e-4 },
  threads: ({ params }) => params.images * params.channels,
});

/** The gradient CAMs whose weights {@link gradientCamWeights} computes. */
export type KernelWeightedCam = 'grad-cam++' | 'xgrad-cam';

/**
 * {@link gradientCamWeights} for `method`, reading `grad` as `[images, channels]`, the same at every
 * position, when `perPosition` is false (override constants XGRAD_CAM and GRADIENT_PER_POSITION: no
 * dead branch on software adapters).
 */
export function gradientCamWeightsFor(method: KernelWeightedCam, perPosition: boolean): typeof gradientCamWeights {
  const xgrad = method === 'xgrad-cam';
  if (perPosition && !xgrad) return gradientCamWeights;
  return kernelVariant(gradientCamWeights, { GRADIENT_PER_POSITION: perPosition ? 1 : 0, XGRAD_CAM: xgrad ? 1 : 0 });
}
