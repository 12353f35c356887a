// SPDX-License-Identifier: Apache-2.0
import featuresSource from './slic-features.wgsl';
import assignSource from './slic-assign.wgsl';
import accumulateSource from './slic-accumulate.wgsl';
import updateSource from './slic-update.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { pixelGridSnippet, slicCellSnippet } from '../snippets/index.js';

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

function defineAssign(init: boolean) {
  return defineKernel({
    name: 'slic-assign',
    source: assignSource,
    includes: [pixelGridSnippet],
    workgroupSize: WORKGROUP_SIZE,
    constants: { INIT: init ? 1 : 0 },
    bindings: {
      params: { uniform: { height: 'u32', width: 'u32', gridH: 'u32', gridW: 'u32', spatialWeight: 'u32', maxSpatial2: 'u32' } },
      features: { storage: 'read' },
      centers: { storage: 'read' },
      labels: { storage: 'read_write' },
    },
    // Integer arithmetic: exact.
    tolerance: { abs: 0, rel: 0 },
    threads: ({ params }) => params.height * params.width,
  });
}

/** GPU kernels: SLIC assignment (`assign`) and the initial grid labelling (`init`). See slic-assign.wgsl; CPU reference: slicAssignRef. */
export const slicAssign = { assign: defineAssign(false), init: defineAssign(true) } as const;

/** GPU kernel: per-cell partial sums of the SLIC update (workgroup atomics). See slic-accumulate.wgsl; CPU reference: slicUpdateRef (whole update). */
export const slicAccumulate = defineKernel({
  name: 'slic-accumulate',
  source: accumulateSource,
  includes: [slicCellSnippet],
  workgroupSize: 64,
  bindings: {
    params: { uniform: { height: 'u32', width: 'u32', gridH: 'u32', gridW: 'u32' } },
    features: { storage: 'read' },
    labels: { storage: 'read' },
    partials: { storage: 'read_write' },
  },
  // Integer atomics: exact, order-independent.
  tolerance: { abs: 0, rel: 0 },
  workgroups: ({ params }) => params.gridH * params.gridW,
});

/** GPU kernel: SLIC centre update from the partials. See slic-update.wgsl; CPU reference: slicUpdateRef. */
export const slicUpdate = defineKernel({
  name: 'slic-update',
  source: updateSource,
  includes: [slicCellSnippet],
  workgroupSize: 64,
  bindings: {
    params: { uniform: { height: 'u32', width: 'u32', gridH: 'u32', gridW: 'u32' } },
    partials: { storage: 'read' },
    centers: { storage: 'read_write' },
  },
  // Integer sums and integer division: exact.
  tolerance: { abs: 0, rel: 0 },
  threads: ({ params }) => params.gridH * params.gridW,
});

/** u32 values of slic-accumulate's partials buffer for a grid. */
export function slicPartialsLength(gridH: number, gridW: number): number {
  return gridH * gridW * 54;
}
