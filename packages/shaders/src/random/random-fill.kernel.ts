// SPDX-License-Identifier: Apache-2.0
import source from './random-fill.wgsl';
import { defineKernel } from '../runtime/kernel.js';

/** What random-fill writes. */
export type RandomKind = 'uniform' | 'normal' | 'bernoulli';

const KIND_CODES: Readonly<Record<RandomKind, number>> = { uniform: 0, normal: 1, bernoulli: 2 };

function defineRandomFill(kind: RandomKind) {
  return defineKernel({
    name: 'random-fill',
    source,
    workgroupSize: 256,
    constants: { KIND: KIND_CODES[kind] },
    bindings: {
      params: {
        uniform: { count: 'u32', offset: 'u32', outputOffset: 'u32', seedLo: 'u32', seedHi: 'u32', a: 'f32', b: 'f32' },
      },
      output: { storage: 'read_write' },
      // NORMAL_TABLE (normal-table.ts) as i32; bound for every kind, read only by 'normal'.
      normalTable: { storage: 'read' },
    },
    // Bit-exact (integer ops only) for the standard outputs (a = 0, b = 1) and Bernoulli masks.
    // Scaled outputs: within one rounding of b * v (the GPU may fuse b * v + a): see the test.
    tolerance: { abs: 0, rel: 0 },
    threads: ({ params }) => params.count,
  });
}

/** The random-fill pipelines, one per kind (KIND is an override constant). See random-fill.wgsl. */
export const randomFillKernels = {
  uniform: defineRandomFill('uniform'),
  normal: defineRandomFill('normal'),
  bernoulli: defineRandomFill('bernoulli'),
} as const;
