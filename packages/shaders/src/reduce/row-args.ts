// SPDX-License-Identifier: Apache-2.0
import { InvalidOptionError, ShapeMismatchError, throwIfAborted } from '../runtime/errors.js';

/** The arguments reduceRows and argReduceRows share. */
export interface RowArgs {
  readonly op: string;
  /** f32 storage buffer holding at least `rows * rowLength` values, row-major. */
  readonly input: GPUBuffer;
  /** Number of rows (e.g. images in the batch), >= 1. */
  readonly rows: number;
  /** Values per row (e.g. H * W * C), >= 1. */
  readonly rowLength: number;
  readonly output?: GPUBuffer;
  readonly signal?: AbortSignal;
}

/**
 * Checks a row reduction's arguments before anything touches the GPU; messages start with `caller`.
 * @throws {InvalidOptionError} for an unknown op or non-integer / too large counts.
 * @throws {ShapeMismatchError} `input` or `output` is too small for the shape.
 */
export function checkRowArgs(caller: string, ops: readonly string[], args: RowArgs, outputType: 'f32' | 'u32'): void {
  const { op, input, rows, rowLength, output } = args;
  if (!ops.includes(op)) {
    throw new InvalidOptionError(`${caller}: op must be one of ${ops.join(', ')}, got ${String(op)}`);
  }
  for (const [name, value] of [
    ['rows', rows],
    ['rowLength', rowLength],
  ] as const) {
    if (!Number.isInteger(value) || value < 1 || value >= 2 ** 32) {
      throw new InvalidOptionError(`${caller}: ${name} must be an integer >= 1, got ${value}`);
    }
  }
  if (rows * rowLength >= 2 ** 32) {
    throw new InvalidOptionError(`${caller}: rows * rowLength must be < 2^32, got ${rows * rowLength}`);
  }
  if (input.size < rows * rowLength * 4) {
    throw new ShapeMismatchError(
      `${caller}: input holds ${input.size / 4} f32 values but rows * rowLength = ${rows} * ${rowLength} = ${rows * rowLength}`,
    );
  }
  if (output && output.size < rows * 4) {
    throw new ShapeMismatchError(`${caller}: output holds ${output.size / 4} ${outputType} values, need rows = ${rows}`);
  }
  throwIfAborted(args.signal, caller);
}
