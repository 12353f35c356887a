// SPDX-License-Identifier: Apache-2.0
import source from './arg-reduce-rows.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { f32Snippet } from '../snippets/index.js';
import { REDUCE_CHUNK, REDUCE_ITEMS_PER_THREAD, REDUCE_WORKGROUP_SIZE } from './reduce-rows.kernel.js';

/** Per-row index reductions that {@link argReduceRows} computes. */
export type ArgReduceOp = 'argmax' | 'argmin';

export const ARG_REDUCE_OPS: readonly ArgReduceOp[] = ['argmax', 'argmin'];

/** Values of one row one workgroup handles per pass (the same plan as reduce-rows). */
export const ARG_REDUCE_CHUNK = REDUCE_CHUNK;

function defineArgReduce(op: ArgReduceOp) {
  return defineKernel({
    name: 'arg-reduce-rows',
    source,
    includes: [f32Snippet],
    workgroupSize: REDUCE_WORKGROUP_SIZE,
    constants: { OP: op === 'argmax' ? 0 : 1, ITEMS_PER_THREAD: REDUCE_ITEMS_PER_THREAD },
    bindings: {
      params: { uniform: { rows: 'u32', rowLength: 'u32', groupsPerRow: 'u32', firstPass: 'u32' } },
      input: { storage: 'read' },
      inputIndex: { storage: 'read' },
      outputValue: { storage: 'read_write' },
      outputIndex: { storage: 'read_write' },
    },
    tolerance: { abs: 0, rel: 0 }, // indices: exact, deterministic tie-break (lowest index)
    workgroups: ({ params }) => params.rows * params.groupsPerRow,
  });
}

/** The arg-reduce-rows pipelines, one per op. See arg-reduce-rows.wgsl. */
export const argReduceRowsKernels = {
  argmax: defineArgReduce('argmax'),
  argmin: defineArgReduce('argmin'),
} as const;
