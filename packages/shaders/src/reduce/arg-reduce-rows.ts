// SPDX-License-Identifier: Apache-2.0
import { createBuffer, releaseBuffer } from '../runtime/buffers.js';
import { ShapeMismatchError, XaiError, throwIfAborted } from '../runtime/errors.js';
import { runKernel } from '../runtime/kernel.js';
import { ARG_REDUCE_CHUNK, ARG_REDUCE_OPS, argReduceRowsKernels, type ArgReduceOp } from './arg-reduce-rows.kernel.js';

/** Options for {@link argReduceRows}. */
export interface ArgReduceRowsOptions {
  readonly op: ArgReduceOp;
  /** f32 storage buffer holding at least `rows * rowLength` values, row-major. */
  readonly input: GPUBuffer;
  readonly rows: number;
  readonly rowLength: number;
  /** Where to write the `rows` u32 indices; a new buffer (caller releases it) when omitted. */
  readonly output?: GPUBuffer;
  readonly signal?: AbortSignal;
}

function assertCount(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value >= 2 ** 32) {
    throw new XaiError('invalid-option', `argReduceRows: ${name} must be an integer >= 1, got ${value}`);
  }
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
  if (!ARG_REDUCE_OPS.includes(op)) {
    throw new XaiError('invalid-option', `argReduceRows: op must be one of ${ARG_REDUCE_OPS.join(', ')}, got ${String(op)}`);
  }
  assertCount('rows', rows);
  assertCount('rowLength', rowLength);
  if (rows * rowLength >= 2 ** 32) {
    throw new XaiError('invalid-option', `argReduceRows: rows * rowLength must be < 2^32, got ${rows * rowLength}`);
  }
  if (input.size < rows * rowLength * 4) {
    throw new ShapeMismatchError(
      `argReduceRows: input holds ${input.size / 4} f32 values but rows * rowLength = ${rows} * ${rowLength} = ${rows * rowLength}`,
    );
  }
  if (options.output && options.output.size < rows * 4) {
    throw new ShapeMismatchError(`argReduceRows: output holds ${options.output.size / 4} u32 values, need rows = ${rows}`);
  }
  throwIfAborted(signal, 'argReduceRows');

  const kernel = argReduceRowsKernels[op];
  const output = options.output ?? createBuffer(device, rows * 4, `arg-reduce-rows.${op}.output`);
  const intermediates: GPUBuffer[] = [];
  try {
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
      await runKernel(device, kernel, {
        params: { rows, rowLength: length, groupsPerRow, firstPass: pass === 0 ? 1 : 0 },
        input: values,
        inputIndex: indices,
        outputValue,
        outputIndex,
      });
      if (last) break;
      throwIfAborted(signal, 'argReduceRows');
      values = outputValue;
      indices = outputIndex;
      length = groupsPerRow;
    }
    return output;
  } catch (error) {
    if (!options.output) releaseBuffer(device, output);
    throw error;
  } finally {
    for (const buffer of intermediates) releaseBuffer(device, buffer);
  }
}
