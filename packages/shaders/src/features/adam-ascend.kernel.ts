// SPDX-License-Identifier: Apache-2.0
import source from './adam-ascend.wgsl';
import quadsSource from './adam-ascend-quads.wgsl';
import { defineKernel, type KernelArgs } from '../runtime/kernel.js';
import type { KernelBatch } from '../runtime/batch.js';
import { adamUpdateSnippet } from '../snippets/index.js';

export const ADAM_BINDINGS = {
  params: { uniform: { count: 'u32', first: 'u32', beta1: 'f32', beta2: 'f32', epsilon: 'f32', rate: 'f32' } },
  x: { storage: 'read' },
  gradient: { storage: 'read' },
  m: { storage: 'read' },
  v: { storage: 'read' },
  xNext: { storage: 'read_write' },
  mNext: { storage: 'read_write' },
  vNext: { storage: 'read_write' },
} as const;

// Each value is a few f32 roundings (and a sqrt) of order-1 quantities; the step m / sqrt(v) is
// within 1 of rate in size, and v = g^2-sized sums can lose 1e-7 relative: abs 1e-6 + rel 1e-5.
export const ADAM_TOLERANCE = { abs: 1e-6, rel: 1e-5 } as const;

/**
 * GPU kernel: one Adam ascent step for parameters `first` .. `count - 1`, `x`, `gradient`, `m`, `v`
 * -> `xNext`, `mNext`, `vNext`, with the bias corrections in `rate` (see adam-ascend.wgsl); the tail
 * of {@link recordAdamStep}. CPU reference: adamAscendRef.
 */
export const adamAscend = defineKernel({
  name: 'adam-ascend',
  source,
  includes: [adamUpdateSnippet],
  workgroupSize: 256,
  bindings: ADAM_BINDINGS,
  tolerance: ADAM_TOLERANCE,
  threads: ({ params }) => Math.max(0, params.count - params.first),
});

/**
 * GPU kernel: {@link adamAscend}'s step for parameters 0 .. 4 floor(count / 4) - 1, four per
 * invocation (`first` unused; see adam-ascend-quads.wgsl). CPU reference: adamAscendRef.
 */
export const adamAscendQuads = defineKernel({
  name: 'adam-ascend-quads',
  source: quadsSource,
  includes: [adamUpdateSnippet],
  workgroupSize: 256,
  bindings: ADAM_BINDINGS,
  tolerance: ADAM_TOLERANCE,
  threads: ({ params }) => Math.floor(params.count / 4),
});

/** The arguments of {@link recordAdamStep}: adam-ascend's, without `first`. */
export type AdamAscendArgs = Omit<KernelArgs<typeof ADAM_BINDINGS>, 'params'> & {
  readonly params: Omit<KernelArgs<typeof ADAM_BINDINGS>['params'], 'first'>;
};

/**
 * Records one Adam step over all `params.count` parameters: adam-ascend-quads over whole quads and
 * adam-ascend over the remaining count % 4 (a dispatch with nothing to do is not recorded).
 */
export function recordAdamStep(batch: KernelBatch, args: AdamAscendArgs): void {
  const whole = args.params.count - (args.params.count % 4);
  batch.dispatch(adamAscendQuads, { ...args, params: { ...args.params, first: 0 } });
  batch.dispatch(adamAscend, { ...args, params: { ...args.params, first: whole } });
}
