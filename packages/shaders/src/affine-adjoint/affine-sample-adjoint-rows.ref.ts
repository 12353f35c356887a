// SPDX-License-Identifier: Apache-2.0
import { affineSampleAdjointRef } from '../features/affine-sample.ref.js';

/**
 * CPU reference (f64) for affine-sample-adjoint-rows.wgsl: the kernel computes the same transpose
 * as affine-sample-adjoint, only with a tighter scan, so its reference is that kernel's (the plain
 * scatter of every output pixel's gradient to its bilinear taps), not a second copy of it.
 */
export const affineSampleAdjointRowsRef = affineSampleAdjointRef;
