// SPDX-License-Identifier: Apache-2.0
import densitySource from './quickshift-density.wgsl';
import parentSource from './quickshift-parent.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { pixelGridSnippet, quickshiftFeaturesSnippet } from '../snippets/index.js';

const WORKGROUP_SIZE = 64;

/** GPU kernel: Quick Shift's Parzen density. See quickshift-density.wgsl; CPU reference: quickshiftDensityRef. */
export const quickshiftDensity = defineKernel({
  name: 'quickshift-density',
  source: densitySource,
  includes: [pixelGridSnippet, quickshiftFeaturesSnippet],
  workgroupSize: WORKGROUP_SIZE,
  bindings: {
    params: { uniform: { height: 'u32', width: 'u32', window: 'u32', inv: 'f32' } },
    features: { storage: 'read' },
    noise: { storage: 'read' },
    density: { storage: 'read_write' },
  },
  // f32 exp (a few ulp) summed over <= (2W+1)^2 terms in f32.
  tolerance: { abs: 1e-5, rel: 2e-5 },
  threads: ({ params }) => params.height * params.width,
});

/** GPU kernel: Quick Shift's links to the nearest denser pixel. See quickshift-parent.wgsl; CPU reference: quickshiftParentRef. */
export const quickshiftParent = defineKernel({
  name: 'quickshift-parent',
  source: parentSource,
  includes: [pixelGridSnippet, quickshiftFeaturesSnippet],
  workgroupSize: WORKGROUP_SIZE,
  bindings: {
    params: { uniform: { height: 'u32', width: 'u32', window: 'u32', maxDist2: 'f32' } },
    features: { storage: 'read' },
    density: { storage: 'read' },
    parent: { storage: 'read_write' },
  },
  // Discrete: exact given the same densities (ties in distance: first in raster order).
  tolerance: { abs: 0, rel: 0 },
  threads: ({ params }) => params.height * params.width,
});
