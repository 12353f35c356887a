// SPDX-License-Identifier: Apache-2.0
import source from './power-iteration.wgsl';
import { defineKernel } from '../runtime/kernel.js';

/** Largest matrix size the kernel handles (its vector lives in workgroup memory). */
export const POWER_ITERATION_MAX_SIZE = 1024;

/** Default stopping rule: max |change| of the unit vector, and an iteration cap. */
export const POWER_ITERATION_DEFAULTS = { iterations: 1000, tolerance: 1e-6 } as const;

/**
 * GPU kernel: leading eigenvector and eigenvalue of symmetric PSD matrices, one workgroup each.
 * See power-iteration.wgsl; CPU reference: powerIterationRef.
 */
export const powerIteration = defineKernel({
  name: 'power-iteration',
  source,
  // 64, not 256: the loop holds 4 barriers per iteration and on software GPUs each barrier cycles
  // through every SIMD group of the workgroup; Eigen-CAM's matrices are small (7x7 -> d = 49).
  workgroupSize: 64,
  bindings: {
    params: { uniform: { images: 'u32', size: 'u32', iterations: 'u32', tolerance: 'f32' } },
    matrices: { storage: 'read' },
    signs: { storage: 'read' },
    vectors: { storage: 'read_write' },
    values: { storage: 'read_write' },
  },
  // Unit vectors agree to ~tolerance / (1 - lambda_2 / lambda_1) plus f32 rounding; the parity test
  // uses spectral gaps >= 2x, where 1e-4 is ample. Values relative to lambda_1: rel 1e-4.
  tolerance: { abs: 1e-4, rel: 1e-4 },
  workgroups: ({ params }) => params.images,
});

/**
 * {@link powerIteration} with 4 invocations per workgroup, one SIMD group of SwiftShader, where a
 * workgroup's groups take turns at every barrier. Chromium, one matrix (medians of the dispatch's GPU
 * time, session 29): with 22 barriers per iteration, d = 49 (Eigen-CAM of a 7x7 layer) 4.1 ms against
 * 13.9 at 64 (load ~13); with the 4 of reduce() walked by one invocation, 3.6 against 7.5 (16: 4.8;
 * idle); d = 196 and 512 level within their noise. On lavapipe (8 lanes) the two were level at 49
 * and 196 and this one 1.18x slower at 512, so only SwiftShader takes it.
 */
const powerIterationOneGroup = { ...powerIteration, workgroupSize: 4 };

/** The power-iteration kernel for an adapter: {@link powerIterationOneGroup} on SwiftShader, else 64 invocations a matrix. */
export function powerIterationFor(swiftShader: boolean): typeof powerIteration {
  return swiftShader ? powerIterationOneGroup : powerIteration;
}
