// SPDX-License-Identifier: Apache-2.0
import source from './reduce-rows.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { f32Snippet } from '../snippets/index.js';

/** Per-row reductions that {@link reduceRows} computes. */
export type ReduceOp = 'sum' | 'min' | 'max' | 'sumsq';

/** Every {@link ReduceOp}, in a stable order (tests and benchmarks iterate it). */
export const REDUCE_OPS: readonly ReduceOp[] = ['sum', 'min', 'max', 'sumsq'];

/** Invocations per workgroup (at most REDUCE_FOLD^2: the workgroup folds its partials in two levels). */
export const REDUCE_WORKGROUP_SIZE = 256;
/** Partials per level-1 fold in reduce-rows.wgsl (its FOLD constant). */
export const REDUCE_FOLD = 16;
/** Values each invocation folds before the workgroup folds its partials. */
export const REDUCE_ITEMS_PER_THREAD = 16;
/** Values of one row that one workgroup reduces in one pass. */
export const REDUCE_CHUNK = REDUCE_WORKGROUP_SIZE * REDUCE_ITEMS_PER_THREAD;

const OP_CODES: Readonly<Record<ReduceOp, number>> = { sum: 0, min: 1, max: 2, sumsq: 3 };

/** f32 unit roundoff. */
const U = 2 ** -24;

function defineReduce(op: ReduceOp) {
  return defineKernel({
    name: 'reduce-rows',
    source,
    includes: [f32Snippet],
    workgroupSize: REDUCE_WORKGROUP_SIZE,
    constants: { OP: OP_CODES[op], ITEMS_PER_THREAD: REDUCE_ITEMS_PER_THREAD },
    bindings: {
      params: { uniform: { rows: 'u32', rowLength: 'u32', groupsPerRow: 'u32' } },
      input: { storage: 'read' },
      output: { storage: 'read_write' },
    },
    // min/max are exact. For sums this is the bound of ONE pass relative to the row's magnitude
    // (sum |x|, or sum x^2), not to the result; reduceRowsErrorBound() gives the multi-pass bound.
    tolerance:
      op === 'min' || op === 'max' ? { abs: 0, rel: 0 } : { abs: 0, rel: (passDepth(REDUCE_CHUNK) + (op === 'sumsq' ? 1 : 0)) * U * 1.01 },
    workgroups: ({ params }) => params.rows * params.groupsPerRow,
  });
}

/** The reduce-rows pipelines, one per op (OP is an override constant). See reduce-rows.wgsl. */
export const reduceRowsKernels = {
  sum: defineReduce('sum'),
  min: defineReduce('min'),
  max: defineReduce('max'),
  sumsq: defineReduce('sumsq'),
} as const;

/** Row lengths of the successive passes for rows of `rowLength` values: [rowLength, groups, ..., (>1)]. */
export function reducePassLengths(rowLength: number): number[] {
  const lengths = [rowLength];
  for (let length = rowLength; length > REDUCE_CHUNK;) {
    length = Math.ceil(length / REDUCE_CHUNK);
    lengths.push(length);
  }
  return lengths;
}

/**
 * Summation depth of one reduce-rows pass over rows of `length` values: the additions a value can
 * go through in its invocation's fold, the level-1 fold of partials and the final fold.
 */
function passDepth(length: number): number {
  const perInvocation = Math.ceil(Math.min(length, REDUCE_CHUNK) / REDUCE_WORKGROUP_SIZE);
  const active = Math.min(length, REDUCE_WORKGROUP_SIZE);
  return perInvocation - 1 + (Math.min(REDUCE_FOLD, active) - 1) + (Math.ceil(active / REDUCE_FOLD) - 1);
}

/**
 * Worst-case error of {@link reduceRows} relative to the row's magnitude: `|gpu - exact| <=
 * bound * M` with M = sum |x| for 'sum' and M = sum x^2 (= the exact result) for 'sumsq'; 0 for
 * min/max (exact). It is gamma_h = h u / (1 - h u) for the depth h of the summation (Higham,
 * Accuracy and Stability of Numerical Algorithms, sec. 4.2), plus one rounding per square.
 *
 * @example reduceRowsErrorBound('sum', 224 * 224 * 3) // 3.7e-6 (h = 62)
 */
export function reduceRowsErrorBound(op: ReduceOp, rowLength: number): number {
  if (op === 'min' || op === 'max') return 0;
  let depth = op === 'sumsq' ? 1 : 0;
  for (const length of reducePassLengths(rowLength)) depth += passDepth(length);
  return (depth * U) / (1 - depth * U);
}
