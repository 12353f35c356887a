// SPDX-License-Identifier: Apache-2.0
import source from './pool-quads.wgsl';
import type { WgslSnippet } from '../runtime/kernel.js';
import type { MaxPoolGeometry } from './max-pool-grad.ref.js';

/** PoolQuadsParams and poolQuadOf: the uniform and work split of direct-max-pool and max-pool-grad-tiles. */
export const poolQuadsSnippet: WgslSnippet = { name: 'pool-quads.wgsl', source };

/** The fields of PoolQuadsParams (pool-quads.wgsl), in WGSL declaration order. */
export const POOL_QUADS_UNIFORM = {
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

/**
 * Invocations of a pool-quads kernel (its `params.count`): one per output window and group of 4
 * channels (`channels` must be a multiple of 4).
 */
export function poolQuadsInvocations(g: Pick<MaxPoolGeometry, 'batch' | 'outHeight' | 'outWidth' | 'channels'>): number {
  return g.batch * g.outHeight * g.outWidth * (g.channels / 4);
}

/** The uniform of a pool-quads kernel (direct-max-pool, max-pool-grad-tiles) for a 2-D (depth 1) pooling of 4k channels. */
export function poolQuadsParams(g: MaxPoolGeometry): Record<keyof typeof POOL_QUADS_UNIFORM, number> {
  return {
    count: poolQuadsInvocations(g),
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
