// SPDX-License-Identifier: Apache-2.0
import source from './eigen-component.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { kernelVariant } from '../runtime/kernel-variant.js';

/** Largest eigenproblem (min(positions, channels)) the kernel handles (its vector lives in workgroup memory). */
export const EIGEN_COMPONENT_MAX_SIZE = 1024;

/** Default stopping rule of the power iteration: max |change| of the unit vector, and an iteration cap. */
export const EIGEN_COMPONENT_STOPPING = { iterations: 1000, tolerance: 1e-6 } as const;

/** Floats of the `work` binding per image: the channel means, the centred activations and the Gram matrix. */
export function eigenComponentWorkSize(positions: number, channels: number): number {
  const d = Math.min(positions, channels);
  return channels + positions * channels + d * d;
}

/**
 * GPU kernel: each image's activations centred per channel, their Gram matrix, its leading
 * eigenpair by power iteration, and the projection onto the first principal component (Eigen-CAM),
 * plus a 1-or-NaN finiteness mark; one workgroup per image. See eigen-component.wgsl; CPU
 * reference: eigenComponentRef.
 */
export const eigenComponent = defineKernel({
  name: 'eigen-component',
  source,
  // 64, not 256: the iteration holds 4 barriers per step and on software GPUs each barrier cycles
  // through every SIMD group of the workgroup; Eigen-CAM's matrices are small (7x7 -> d = 49).
  workgroupSize: 64,
  bindings: {
    params: { uniform: { images: 'u32', positions: 'u32', channels: 'u32', iterations: 'u32', tolerance: 'f32' } },
    act: { storage: 'read' },
    work: { storage: 'read_write' },
    projection: { storage: 'read_write' },
    unit: { storage: 'read_write' },
  },
  // The projection is sqrt(lambda_1) u (or X v): its unit vector agrees to ~tolerance / (1 - lambda_2 /
  // lambda_1) plus f32 rounding of the means and Gram sums. The parity test's activations (O(1): a
  // dominant rank-one term plus 0.05 noise, a wide spectral gap) give projections of O(1-10): abs
  // 1e-4, rel 1e-4 (power-iteration's tolerance, which this kernel's iteration is).
  tolerance: { abs: 1e-4, rel: 1e-4 },
  workgroups: ({ params }) => params.images,
});

/**
 * {@link eigenComponent} with 4 invocations per workgroup, one SIMD group of SwiftShader, where a
 * workgroup's groups take turns at every barrier. Chromium, one 49 x 49 power iteration (medians of
 * the dispatch's GPU time, session 29): with 22 barriers per iteration 4.1 ms against 13.9 at 64
 * (load ~13); with the 4 of reduce() walked by one invocation, 3.6 against 7.5 (16: 4.8; idle);
 * d = 196 and 512 level within their noise. On lavapipe (8 lanes) the two were level at 49 and 196
 * and this one 1.18x slower at 512, so only SwiftShader takes it.
 */
const eigenComponentOneGroup = { ...eigenComponent, workgroupSize: 4 };

/**
 * The kernel for an adapter and an eigenproblem of `size` (min(positions, channels) <= 1024):
 * {@link eigenComponentOneGroup} on SwiftShader, else 64 invocations an image; its workgroup vectors
 * (the VECTOR_CAPACITY override constant) the smallest power of two >= size, at least 64, because
 * WGSL zero-fills workgroup memory at every dispatch (one cached pipeline per capacity).
 */
export function eigenComponentFor(swiftShader: boolean, size: number): typeof eigenComponent {
  const capacity = Math.max(64, 2 ** Math.ceil(Math.log2(Math.max(size, 1))));
  return kernelVariant(swiftShader ? eigenComponentOneGroup : eigenComponent, { VECTOR_CAPACITY: capacity });
}
