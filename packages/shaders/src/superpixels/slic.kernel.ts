// SPDX-License-Identifier: Apache-2.0
import featuresSource from './slic-features.wgsl';
import assignSumSource from './slic-assign-sum.wgsl';
import updateSource from './slic-update.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { slicCellSnippet } from '../snippets/index.js';

const WORKGROUP_SIZE = 256;

/** GPU kernel: quantized CIELAB features. See slic-features.wgsl; CPU reference: slicFeaturesRef. */
export const slicFeatures = defineKernel({
  name: 'slic-features',
  source: featuresSource,
  workgroupSize: WORKGROUP_SIZE,
  bindings: {
    params: { uniform: { pixels: 'u32', channels: 'u32', low: 'f32', scale: 'f32' } },
    image: { storage: 'read' },
    features: { storage: 'read_write' },
  },
  // f32 pow/cbrt, then rounding to half Lab units: off by at most one unit near a rounding boundary.
  tolerance: { abs: 1, rel: 0 },
  threads: ({ params }) => params.pixels,
});

function defineAssignSum(init: boolean) {
  return defineKernel({
    name: 'slic-assign-sum',
    source: assignSumSource,
    includes: [slicCellSnippet],
    workgroupSize: 64,
    constants: { INIT: init ? 1 : 0 },
    bindings: {
      params: { uniform: { height: 'u32', width: 'u32', gridH: 'u32', gridW: 'u32', spatialWeight: 'u32', maxSpatial2: 'u32' } },
      features: { storage: 'read' },
      centers: { storage: 'read' },
      labels: { storage: 'read_write' },
      sums: { storage: 'read_write' },
    },
    // Integer arithmetic: exact.
    tolerance: { abs: 0, rel: 0 },
    threads: ({ params }) => params.gridH * params.width,
  });
}

/**
 * GPU kernels: one SLIC iteration's assignment plus the column sums of the update (`assign`), and the
 * initial grid labelling with its sums (`init`). See slic-assign-sum.wgsl; CPU references:
 * slicAssignRef (labels) and slicColumnSumsRef (sums).
 */
export const slicAssignSum = { assign: defineAssignSum(false), init: defineAssignSum(true) } as const;

/** GPU kernel: SLIC centre update from the column sums. See slic-update.wgsl; CPU reference: slicUpdateRef. */
export const slicUpdate = defineKernel({
  name: 'slic-update',
  source: updateSource,
  includes: [slicCellSnippet],
  workgroupSize: 64,
  bindings: {
    params: { uniform: { height: 'u32', width: 'u32', gridH: 'u32', gridW: 'u32' } },
    sums: { storage: 'read' },
    centers: { storage: 'read_write' },
  },
  // Integer sums and integer division: exact.
  tolerance: { abs: 0, rel: 0 },
  threads: ({ params }) => params.gridH * params.gridW,
});

/** u32 values of slic-assign-sum's sums buffer: 9 slots x 5 fields per (grid row, image column). */
export function slicSumsLength(gridH: number, width: number): number {
  return gridH * width * 45;
}
