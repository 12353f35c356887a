// SPDX-License-Identifier: Apache-2.0
import source from './weighted-gram.wgsl';
import { defineKernel } from '../runtime/kernel.js';

/** Invocations per workgroup of weighted-gram (a power of two). */
export const GRAM_WORKGROUP_SIZE = 64;

/** Which derived design weighted-gram reduces: LIME's [1, X, y] or KernelSHAP's constrained one. */
export type GramMode = 'lime' | 'shap';

/** Number of columns of the derived design for `features` features. */
export function gramColumns(mode: GramMode, features: number): number {
  return mode === 'lime' ? features + 2 : features;
}

function defineGram(mode: GramMode) {
  return defineKernel({
    name: 'weighted-gram',
    source,
    workgroupSize: GRAM_WORKGROUP_SIZE,
    constants: { MODE: mode === 'lime' ? 0 : 1 },
    bindings: {
      params: { uniform: { samples: 'u32', rowOffset: 'u32', features: 'u32', columns: 'u32', base: 'f32', delta: 'f32' } },
      samples: { storage: 'read' },
      scores: { storage: 'read' },
      weights: { storage: 'read' },
      gram: { storage: 'read_write' },
    },
    // Relative to sum_n w_n |z_i z_j|; for <= 4096 samples the tree depth is <= 69: 69 u ~ 4.1e-6.
    tolerance: { abs: 1e-6, rel: 5e-6 },
    workgroups: ({ params }) => [params.columns, params.columns, 1],
  });
}

/** GPU kernels: G = Z^T W Z of the derived design. See weighted-gram.wgsl; CPU reference: weightedGramRef. */
export const weightedGram = { lime: defineGram('lime'), shap: defineGram('shap') } as const;
