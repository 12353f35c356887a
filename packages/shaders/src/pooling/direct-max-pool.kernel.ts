// SPDX-License-Identifier: Apache-2.0
import source from './direct-max-pool.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import type { MaxPoolGeometry } from './max-pool-grad.ref.js';

const WORKGROUP_SIZE = 64;

/**
 * Invocations one dispatch of {@link directMaxPool} needs (its `params.count`): one per output cell
 * and group of 4 channels (`channels` must be a multiple of 4).
 */
export function directMaxPoolInvocations(g: Pick<MaxPoolGeometry, 'batch' | 'outHeight' | 'outWidth' | 'channels'>): number {
  return g.batch * g.outHeight * g.outWidth * (g.channels / 4);
}

/** The uniform fields of {@link directMaxPool}, in WGSL declaration order. */
const UNIFORM = {
  count: 'u32',
  height: 'u32',
  width: 'u32',
  quads: 'u32',
  outHeight: 'u32',
  outWidth: 'u32',
  filterHeight: 'u32',
  filterWidth: 'u32',
  strideHeight: 'u32',
  strideWidth: 'u32',
  padTop: 'u32',
  padLeft: 'u32',
} as const;

/** The uniform of {@link directMaxPool} for a 2-D (depth 1) pooling whose channel count is a multiple of 4. */
export function directMaxPoolParams(g: MaxPoolGeometry): Record<keyof typeof UNIFORM, number> {
  return {
    count: directMaxPoolInvocations(g),
    height: g.height,
    width: g.width,
    quads: g.channels / 4,
    outHeight: g.outHeight,
    outWidth: g.outWidth,
    filterHeight: g.filterHeight,
    filterWidth: g.filterWidth,
    strideHeight: g.strideHeight,
    strideWidth: g.strideWidth,
    padTop: g.padTop,
    padLeft: g.padLeft,
  };
}

/**
 * GPU kernel: 2-D max pooling (NHWC, dilation 1) of a feature map whose channel count is a multiple
 * of 4, computed as tfjs-webgpu 4.22's Pool2DProgram computes it (same start value, same window
 * order, same max() calls: the same bits on the same device), 4 channels per invocation without
 * workgroup memory or barriers (fast on software adapters). See direct-max-pool.wgsl; CPU reference:
 * directMaxPoolRef. Bind `x` (input) and `y` (output, every element written); `params` is
 * {@link directMaxPoolParams}.
 */
export const directMaxPool = defineKernel({
  name: 'direct-max-pool',
  source,
  workgroupSize: WORKGROUP_SIZE,
  bindings: {
    params: { uniform: UNIFORM },
    x: { storage: 'read' },
    y: { storage: 'read_write' },
  },
  // Comparisons only: exact for finite and infinite inputs (NaN: the device's max(); see the .wgsl).
  tolerance: { abs: 0, rel: 0 },
  threads: ({ params }) => params.count,
});
