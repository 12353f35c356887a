// SPDX-License-Identifier: Apache-2.0
import source from './relu-grad.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { f32Snippet } from '../snippets/index.js';

/** Invocations one dispatch of {@link reluGrad} needs (its `params.count`): one per 4 elements (`elements` a multiple of 4). */
export function reluGradInvocations(elements: number): number {
  return elements / 4;
}

/**
 * GPU kernel: the gradient of ReLU, dx = dy * step(x) (step: 1 where x > 0, 0 elsewhere, x itself
 * where x is NaN), the same bits as tfjs 4.22's mul(dy, step(x)) in one pass; dy, x and dx hold a
 * multiple of 4 elements. See relu-grad.wgsl; CPU reference: reluGradRef. `params.count` is
 * {@link reluGradInvocations}.
 */
export const reluGrad = defineKernel({
  name: 'relu-grad',
  source,
  includes: [f32Snippet],
  workgroupSize: 64,
  bindings: {
    params: { uniform: { count: 'u32' } },
    dy: { storage: 'read' },
    x: { storage: 'read' },
    dx: { storage: 'read_write' },
  },
  // One f32 product per element: exact.
  tolerance: { abs: 0, rel: 0 },
  threads: ({ params }) => params.count,
});
