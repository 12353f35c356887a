// SPDX-License-Identifier: Apache-2.0
export {
  REDUCE_CHUNK,
  REDUCE_ITEMS_PER_THREAD,
  REDUCE_OPS,
  REDUCE_WORKGROUP_SIZE,
  reducePassLengths,
  reduceRowsErrorBound,
  reduceRowsKernels,
  type ReduceOp,
} from './reduce-rows.kernel.js';
export { reduceRowsRef } from './reduce-rows.ref.js';
export { reduceRows, type ReduceRowsOptions } from './reduce-rows.js';
export { ARG_REDUCE_OPS, argReduceRowsKernels, type ArgReduceOp } from './arg-reduce-rows.kernel.js';
export { argReduceRowsRef } from './arg-reduce-rows.ref.js';
export { argReduceRows, type ArgReduceRowsOptions } from './arg-reduce-rows.js';
