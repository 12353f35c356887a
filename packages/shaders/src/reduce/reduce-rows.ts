// SPDX-License-Identifier: Apache-2.0
import { createBuffer, releaseBuffer } from '../runtime/buffers.js';
import { throwIfAborted } from '../runtime/errors.js';
import { checkRowArgs, type RowArgs } from './row-args.js';
import { KernelBatch } from '../runtime/batch.js';
import { REDUCE_CHUNK, REDUCE_OPS, reduceRowsKernels, type ReduceOp } from './reduce-rows.kernel.js';

/** Options for {@link reduceRows}. */
export interface ReduceRowsOptions extends RowArgs {
  readonly op: ReduceOp;
  /** Where to write the `rows` results; a new buffer (caller releases it) when omitted. */
  readonly output?: GPUBuffer;
}

/**
 * Reduces every row of a row-major f32 buffer to one f32 (sum, min, max or sum of squares),
 * running reduce-rows.wgsl once per pass (all passes in one submit) and releasing its intermediate buffers. The returned
 * buffer is `output` when given, otherwise a new tracked buffer of `rows` f32 that the caller
 * releases with `releaseBuffer`. Error bounds: {@link reduceRowsErrorBound}; CPU path: `reduceRowsRef`.
 *
 * @throws {ShapeMismatchError} `input` (or `output`) is too small for the shape.
 * @throws {AbortedError} `signal` fired; intermediates are released (a created output too).
 * @example
 * const maxima = await reduceRows(device, { op: 'max', input, rows: 64, rowLength: 224 * 224 * 3 });
 * await readFloat32(device, maxima, 64); // one max per image
 */
export async function reduceRows(device: GPUDevice, options: ReduceRowsOptions): Promise<GPUBuffer> {
  const { op, input, rows, rowLength, signal } = options;
  checkRowArgs('reduceRows', REDUCE_OPS, options, 'f32');

  const output = options.output ?? createBuffer(device, rows * 4, `reduce-rows.${op}.output`);
  const intermediates: GPUBuffer[] = [];
  try {
    // Every pass in one command buffer: one queue.submit however many passes the length needs.
    const batch = new KernelBatch(device, `reduce-rows.${op}`);
    let source = input;
    let length = rowLength;
    let kernel = reduceRowsKernels[op];
    for (;;) {
      const groupsPerRow = Math.ceil(length / REDUCE_CHUNK);
      const last = groupsPerRow === 1;
      const target = last ? output : createBuffer(device, rows * groupsPerRow * 4, `reduce-rows.${op}.partials`);
      if (!last) intermediates.push(target);
      batch.dispatch(kernel, { params: { rows, rowLength: length, groupsPerRow }, input: source, output: target });
      if (last) break;
      source = target;
      length = groupsPerRow;
      // Squares are taken once; later passes add partial sums of squares.
      kernel = op === 'sumsq' ? reduceRowsKernels.sum : kernel;
    }
    throwIfAborted(signal, 'reduceRows');
    await batch.submit();
    return output;
  } catch (error) {
    if (!options.output) releaseBuffer(device, output);
    throw error;
  } finally {
    // destroy() waits for submitted work that uses the buffers, so this is safe before completion.
    for (const buffer of intermediates) releaseBuffer(device, buffer);
  }
}
