// SPDX-License-Identifier: Apache-2.0
import source from './weighted-gram.wgsl';
import { defineKernel } from '../runtime/kernel.js';

/** Invocations per workgroup of weighted-gram. */
export const GRAM_WORKGROUP_SIZE = 16;

/** Rows and columns of the block of G one invocation of weighted-gram sums (the WGSL's TILE). */
export const GRAM_TILE = 8;

/** Which derived design weighted-gram reduces: LIME's [1, X, y] or KernelSHAP's constrained one. */
export type GramMode = 'lime' | 'shap';

/** Number of columns of the derived design for `features` features. */
export function gramColumns(mode: GramMode, features: number): number {
  return mode === 'lime' ? features + 2 : features;
}

/** Blocks (I, J), I <= J, of G's upper block triangle: one invocation of weighted-gram each. */
export function gramBlocks(columns: number): number {
  const tiles = Math.ceil(columns / GRAM_TILE);
  return (tiles * (tiles + 1)) / 2;
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
    // Relative to sum_n w_n |z_i z_j|: blocked sums of B = ceil(cbrt(samples)) terms per level, so
    // for <= 4096 samples (B <= 16) at most 3 B - 1 = 47 roundings, 2 more for MODE 1's derived
    // response: 49 u ~ 2.9e-6 (weighted-gram.wgsl).
    tolerance: { abs: 1e-6, rel: 3e-6 },
    threads: ({ params }) => gramBlocks(params.columns),
  });
}

/** GPU kernels: G = Z^T W Z of the derived design. See weighted-gram.wgsl; CPU reference: weightedGramRef. */
export const weightedGram = { lime: defineGram('lime'), shap: defineGram('shap') } as const;
