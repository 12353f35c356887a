// SPDX-License-Identifier: Apache-2.0
import { createBuffer, releaseBuffer } from '../runtime/buffers.js';
import { throwIfAborted } from '../runtime/errors.js';
import { checkRowArgs, type RowArgs } from './row-args.js';
import { KernelBatch } from '../runtime/batch.js';
import { ARG_REDUCE_CHUNK, ARG_REDUCE_OPS, argReduceRowsKernels, type ArgReduceOp } from './arg-reduce-rows.kernel.js';

/** Options for {@link argReduceRows}. */
export interface ArgReduceRowsOptions extends RowArgs {
  readonly op: ArgReduceOp;
  /** Where to write the `rows` u32 indices; a new buffer (caller releases it) when omitted. */
  readonly output?: GPUBuffer;
}

/**
 * Per-row argmax or argmin of a row-major f32 buffer, as u32 indices (numpy semantics: first
 * extreme wins, NaN counts as the extreme). Runs arg-reduce-rows.wgsl once per pass and releases its
 * intermediates. CPU path: `argReduceRowsRef`.
 *
 * @throws {ShapeMismatchError} `input` (or `output`) is too small for the shape.
 * @throws {AbortedError} `signal` fired; intermediates are released (a created output too).
 * @example
 * const predicted = await argReduceRows(device, { op: 'argmax', input: logits, rows: 64, rowLength: 1000 });
 * await readUint32(device, predicted, 64); // class index per image
 */
export async function argReduceRows(device: GPUDevice, options: ArgReduceRowsOptions): Promise<GPUBuffer> {
  const { op, input, rows, rowLength, signal } = options;
  checkRowArgs('argReduceRows', ARG_REDUCE_OPS, options, 'u32');

  const kernel = argReduceRowsKernels[op];
  const output = options.output ?? createBuffer(device, rows * 4, `arg-reduce-rows.${op}.output`);
  const intermediates: GPUBuffer[] = [];
  try {
    // Every pass in one command buffer: one queue.submit however many passes the length needs.
    const batch = new KernelBatch(device, `arg-reduce-rows.${op}`);
    let values = input;
    let indices = input; // not read in the first pass
    let length = rowLength;
    for (let pass = 0; ; pass++) {
      const groupsPerRow = Math.ceil(length / ARG_REDUCE_CHUNK);
      const last = groupsPerRow === 1;
      const outputValue = createBuffer(device, rows * groupsPerRow * 4, `arg-reduce-rows.${op}.values`);
      const outputIndex = last ? output : createBuffer(device, rows * groupsPerRow * 4, `arg-reduce-rows.${op}.indices`);
      intermediates.push(outputValue);
      if (!last) intermediates.push(outputIndex);
      batch.dispatch(kernel, {
        params: { rows, rowLength: length, groupsPerRow, firstPass: pass === 0 ? 1 : 0 },
        input: values,
        inputIndex: indices,
        outputValue,
        outputIndex,
      });
      if (last) break;
      values = outputValue;
      indices = outputIndex;
      length = groupsPerRow;
    }
    throwIfAborted(signal, 'argReduceRows');
    await batch.submit();
    return output;
  } catch (error) {
    if (!options.output) releaseBuffer(device, output);
    throw error;
  } finally {
    for (const buffer of intermediates) releaseBuffer(device, buffer);
  }
}
