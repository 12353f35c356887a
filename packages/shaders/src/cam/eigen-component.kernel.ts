// SPDX-License-Identifier: Apache-2.0
import source from './eigen-component.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { kernelVariant } from '../runtime/kernel-variant.js';
import { camEpilogueSnippet } from '../snippets/index.js';
import { CAM_MAP_UNIFORM } from './cam-map.kernel.js';

/** Largest eigenproblem (min(positions, channels)) the kernel handles (its vector lives in workgroup memory). */
export const EIGEN_COMPONENT_MAX_SIZE = 1024;

/** Default stopping rule of the power iteration: max |change| of the unit vector, and an iteration cap. */
export const EIGEN_COMPONENT_STOPPING = { iterations: 1000, tolerance: 1e-6 } as const;

/**
 * Floats of the `work` binding per image: unit (1 or NaN) and the projection (channel-sum sign) first,
 * then the channel means, the centred activations and the Gram matrix.
 */
export function eigenComponentWorkSize(positions: number, channels: number): number {
  const d = Math.min(positions, channels);
  return 1 + positions + channels + positions * channels + d * d;
}

/** Eigen-CAM's sign conventions (core's EigenSignConvention): the kernel's SIGN override constant for each. */
export const EIGEN_SIGN_MODES = { 'channel-sum': 0, 'negative-channel-sum': 1, 'max-abs': 2 } as const;

/** A sign convention of {@link EIGEN_SIGN_MODES}. */
export type EigenSign = keyof typeof EIGEN_SIGN_MODES;

/**
 * GPU kernel: each image's activations centred per channel, their Gram matrix, its leading
 * eigenpair by shifted power iteration, the projection onto the first principal component (Eigen-CAM) and a
 * 1-or-NaN finiteness mark (both in `work`), then cam-map's epilogue on the projection: `map`,
 * `output`, `peaks` as camMap's with K = 1; one workgroup per image. See eigen-component.wgsl; CPU
 * reference: eigenComponentRef, signConventionRef, then camMapRef. This descriptor is 'channel-sum'
 * without the final normalisation; {@link eigenComponentFor} gives the others.
 */
export const eigenComponent = defineKernel({
  name: 'eigen-component',
  source,
  includes: [camEpilogueSnippet],
  // 64, not 256: the iteration holds 4 barriers per step and on software GPUs each barrier cycles
  // through every SIMD group of the workgroup; Eigen-CAM's matrices are small (7x7 -> d = 49).
  workgroupSize: 64,
  bindings: {
    // cam-map's fields first (the epilogue's shapes), then the power iteration's stopping rule.
    params: { uniform: { ...CAM_MAP_UNIFORM, iterations: 'u32', tolerance: 'f32' } },
    act: { storage: 'read' },
    work: { storage: 'read_write' },
    map: { storage: 'read_write' },
    output: { storage: 'read_write' },
    peaks: { storage: 'read_write' },
  },
  // The projection is sqrt(lambda_1) u (or X v): its unit vector agrees to ~tolerance / (1 - rate), rate
  // the shifted iteration's per-step contraction (about lambda_2 / (2 lambda_1 - lambda_2) once the
  // shift settles), plus f32 rounding of the means and Gram sums; the kernel's f32 shift estimates
  // differ from the reference's f64 ones, so the two stop at nearby, not identical, iterates. The parity test's activations (O(1): a
  // dominant rank-one term plus 0.05 noise, a wide spectral gap) give projections of O(1-10): abs
  // 1e-4, rel 1e-4 (power-iteration's tolerance, which this kernel's iteration is). The maps: cam-map's
  // epilogue of that projection, normalised by the map's range (O(1-10)), so within the same bounds.
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

/** What picks an {@link eigenComponentFor} variant besides the adapter and size. */
export interface EigenMapOptions {
  readonly sign: EigenSign;
  /** Min-max normalise the output again after the resize (the one-layer case, as camMapFor's). */
  readonly finalNormalise: boolean;
}

/**
 * The kernel for an adapter and an eigenproblem of `size` (min(positions, channels) <= 1024):
 * {@link eigenComponentOneGroup} on SwiftShader, else 64 invocations an image; its workgroup vectors
 * (the VECTOR_CAPACITY override constant) the smallest power of two >= size, at least 64, because
 * WGSL zero-fills workgroup memory at every dispatch; SIGN and FINAL_NORMALISE from `options`
 * (one cached pipeline per combination).
 */
export function eigenComponentFor(swiftShader: boolean, size: number, options: EigenMapOptions): typeof eigenComponent {
  const capacity = Math.max(64, 2 ** Math.ceil(Math.log2(Math.max(size, 1))));
  return kernelVariant(swiftShader ? eigenComponentOneGroup : eigenComponent, {
    VECTOR_CAPACITY: capacity,
    SIGN: EIGEN_SIGN_MODES[options.sign],
    FINAL_NORMALISE: options.finalNormalise ? 1 : 0,
  });
}
