// SPDX-License-Identifier: Apache-2.0
import source from './direct-matmul.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { kernelVariant } from '../runtime/kernel-variant.js';
import { activationSnippet } from '../snippets/index.js';

const WORKGROUP_SIZE = 64;

/** Activations {@link directMatmul} fuses, by their ACTIVATION constant's code. */
export const DIRECT_MATMUL_ACTIVATIONS = { linear: 0, relu: 1, relu6: 2, sigmoid: 3, elu: 4, leakyrelu: 5 } as const;

/** An activation {@link directMatmul} can fuse. */
export type DirectMatmulActivation = keyof typeof DIRECT_MATMUL_ACTIVATIONS;

/**
 * Invocations one dispatch of {@link directMatmul} needs (its `params.count`): one per batch,
 * tile of 4 output rows and tile of 4 output columns.
 */
export function directMatmulInvocations(s: { batch: number; rows: number; cols: number }): number {
  return s.batch * Math.ceil(s.rows / 4) * Math.ceil(s.cols / 4);
}

/**
 * GPU kernel: batched matrix product out[b] = act(A[b] x B[b] + bias), each operand optionally
 * transposed, an operand with one batch broadcast over the others, an optional per-column bias
 * and a fused linear / relu / relu6 / sigmoid / elu / leaky relu (`params.alpha`) activation;
 * each invocation computes 4 rows x 4 columns without workgroup memory or barriers (fast on
 * software adapters). See direct-matmul.wgsl; CPU reference: directMatmulRef. `params.count` is
 * {@link directMatmulInvocations} of the output shape. This descriptor is the linear product without
 * bias or transposes; {@link directMatmulFor} gives the others.
 */
export const directMatmul = defineKernel({
  name: 'direct-matmul',
  source,
  includes: [activationSnippet],
  workgroupSize: WORKGROUP_SIZE,
  bindings: {
    params: {
      uniform: {
        count: 'u32',
        rows: 'u32',
        cols: 'u32',
        inner: 'u32',
        aBatches: 'u32',
        bBatches: 'u32',
        alpha: 'f32',
      },
    },
    a: { storage: 'read' },
    b: { storage: 'read' },
    bias: { storage: 'read' },
    out: { storage: 'read_write' },
  },
  // f32 sums of up to `inner` products (a few thousand here).
  tolerance: { abs: 1e-5, rel: 1e-4 },
  threads: ({ params }) => params.count,
});

/** What selects a {@link directMatmulFor} variant: the shader's override constants. */
export interface DirectMatmulModes {
  readonly activation: DirectMatmulActivation;
  readonly hasBias: boolean;
  readonly transposeA: boolean;
  readonly transposeB: boolean;
}

/**
 * {@link directMatmul} fusing `activation`, reading its bias binding when `hasBias` and reading A or B
 * transposed: the shader's ACTIVATION, HAS_BIAS, TRANSPOSE_A and TRANSPOSE_B override constants (one
 * cached descriptor and pipeline per variant; why constants: see direct-matmul.wgsl).
 */
export function directMatmulFor(modes: DirectMatmulModes): typeof directMatmul {
  return kernelVariant(directMatmul, {
    ACTIVATION: DIRECT_MATMUL_ACTIVATIONS[modes.activation],
    HAS_BIAS: modes.hasBias ? 1 : 0,
    TRANSPOSE_A: modes.transposeA ? 1 : 0,
    TRANSPOSE_B: modes.transposeB ? 1 : 0,
  });
}
