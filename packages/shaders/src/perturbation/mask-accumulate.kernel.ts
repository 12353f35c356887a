// SPDX-License-Identifier: Apache-2.0
import source from './mask-accumulate.wgsl';
import { defineKernel } from '../runtime/kernel.js';

function defineAccumulate(invert: boolean) {
  return defineKernel({
    name: 'mask-accumulate',
    source,
    workgroupSize: 256,
    constants: { INVERT: invert ? 1 : 0 },
    bindings: {
      params: { uniform: { count: 'u32', pixels: 'u32' } },
      weights: { storage: 'read' },
      masks: { storage: 'read' },
      acc: { storage: 'read_write' },
    },
    // Sequential f32 sum of <= 64 terms |w m| <= 1: 64 u * 64 ~ 2.4e-4 worst case; typical << 1e-5.
    tolerance: { abs: 1e-5, rel: 1e-5 },
    threads: ({ params }) => params.pixels,
  });
}

/**
 * GPU kernels: acc[p] += sum_b w[b] * m(b, p) with m the mask (`keep`) or 1 - mask (`hidden`).
 * See mask-accumulate.wgsl; CPU reference: maskAccumulateRef.
 */
export const maskAccumulate = { keep: defineAccumulate(false), hidden: defineAccumulate(true) } as const;
