// SPDX-License-Identifier: Apache-2.0
import source from './max-pool-grad.wgsl';
import tilesSource from './max-pool-grad-tiles.wgsl';
import poolWindowsSource from './pool-windows.wgsl';
import { defineKernel, type WgslSnippet } from '../runtime/kernel.js';
import { f32Snippet } from '../snippets/index.js';
import type { MaxPoolGeometry } from './max-pool-grad.ref.js';
import { POOL_QUADS_UNIFORM, poolQuadsSnippet } from './pool-quads.js';

/** coveringWindows: the output windows along one axis that contain an input index. */
const poolWindowsSnippet: WgslSnippet = { name: 'pool-windows.wgsl', source: poolWindowsSource };

const WORKGROUP_SIZE = 64;

/**
 * Invocations one dispatch of {@link maxPoolGrad} needs (its `params.count`): one per input cell
 * and group of 4 channels.
 */
export function maxPoolGradInvocations(g: { batch: number; depth: number; height: number; width: number; channels: number }): number {
  return g.batch * g.depth * g.height * g.width * Math.ceil(g.channels / 4);
}

/**
 * GPU kernel: gradient of 3-D max pooling (NDHWC; 2-D pooling NHWC is depth 1 with a 1-deep window)
 * where the first maximal element of each window (row-major window order) gets the window's
 * gradient. See max-pool-grad.wgsl; CPU reference: maxPoolGradRef. Geometry (output size, padding)
 * is the caller's, e.g. from tfjs's computePool2DInfo / computePool3DInfo (maxPoolGeometry,
 * maxPool3dGeometry), so the output sizes and paddings must describe `dy`. `params.count` is
 * {@link maxPoolGradInvocations}; every dx element is written.
 */
export const maxPoolGrad = defineKernel({
  name: 'max-pool-grad',
  source,
  includes: [f32Snippet, poolWindowsSnippet],
  workgroupSize: WORKGROUP_SIZE,
  bindings: {
    params: {
      uniform: {
        count: 'u32',
        depth: 'u32',
        height: 'u32',
        width: 'u32',
        channels: 'u32',
        outDepth: 'u32',
        outHeight: 'u32',
        outWidth: 'u32',
        filterDepth: 'u32',
        filterHeight: 'u32',
        filterWidth: 'u32',
        strideDepth: 'u32',
        strideHeight: 'u32',
        strideWidth: 'u32',
        padFront: 'u32',
        padTop: 'u32',
        padLeft: 'u32',
      },
    },
    input: { storage: 'read' },
    dy: { storage: 'read' },
    dx: { storage: 'read_write' },
  },
  // The argmax is exact; overlapping windows add up to ceil(f / s)^3 f32 terms (f64 in the reference).
  tolerance: { abs: 1e-6, rel: 1e-6 },
  threads: ({ params }) => params.count,
});

/**
 * Whether {@link maxPoolGradTiles} takes this pooling: 2-D (depth 1), windows that tile the image
 * (stride == window, no padding before row 0 / column 0) and a channel count that is a multiple of 4.
 */
export function maxPoolGradTilesCovers(g: MaxPoolGeometry): boolean {
  const tiles = g.strideHeight === g.filterHeight && g.strideWidth === g.filterWidth && g.padTop === 0 && g.padLeft === 0;
  return tiles && g.depth === 1 && g.filterDepth === 1 && g.channels % 4 === 0 && g.outHeight > 0 && g.outWidth > 0;
}

/**
 * GPU kernel: {@link maxPoolGrad} for 2-D pooling (NHWC) whose windows tile the image
 * ({@link maxPoolGradTilesCovers}), one invocation per window and 4 channels, vec4 loads and stores
 * (4x fewer invocations for 2x2 windows; faster on software adapters); the same rule and the same
 * bits. See max-pool-grad-tiles.wgsl; CPU reference: maxPoolGradRef. `params` is poolQuadsParams;
 * every dx element is written.
 */
export const maxPoolGradTiles = defineKernel({
  name: 'max-pool-grad-tiles',
  source: tilesSource,
  includes: [f32Snippet, poolQuadsSnippet],
  workgroupSize: WORKGROUP_SIZE,
  bindings: {
    params: { uniform: POOL_QUADS_UNIFORM },
    input: { storage: 'read' },
    dy: { storage: 'read' },
    dx: { storage: 'read_write' },
  },
  // Comparisons and one addition to 0: exact.
  tolerance: { abs: 0, rel: 0 },
  threads: ({ params }) => params.count,
});
