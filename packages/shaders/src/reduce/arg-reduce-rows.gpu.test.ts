// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { countSubmits, gpuTest, seededF32, seededInts } from '@webxai/testing';
import { createBuffer, liveBufferCount, readUint32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { AbortedError, ShapeMismatchError } from '../runtime/errors.js';
import { ARG_REDUCE_CHUNK, ARG_REDUCE_OPS, type ArgReduceOp } from './arg-reduce-rows.kernel.js';
import { argReduceRowsRef } from './arg-reduce-rows.ref.js';
import { argReduceRows } from './arg-reduce-rows.js';

async function runOnGpu(device: GPUDevice, op: ArgReduceOp, input: Float32Array<ArrayBuffer>, rows: number, rowLength: number) {
  const src = uploadBuffer(device, input, 'input');
  const out = await argReduceRows(device, { op, input: src, rows, rowLength });
  const indices = await readUint32(device, out, rows);
  releaseBuffer(device, src);
  releaseBuffer(device, out);
  return Array.from(indices);
}

const SHAPES = [
  { rows: 1, rowLength: 1, why: 'one element' },
  { rows: 1, rowLength: 200, why: 'one row smaller than one workgroup' },
  { rows: 64, rowLength: 1000, why: 'logits of 64 images x 1000 classes' },
  { rows: 3, rowLength: 2 * ARG_REDUCE_CHUNK + 37, why: 'ragged last chunk, two passes' },
  { rows: 2, rowLength: 224 * 224 * 3, why: 'two 224x224x3 maps' },
];

describe('arg-reduce-rows', () => {
  gpuTest.for(ARG_REDUCE_OPS.flatMap((op) => SHAPES.map((s) => ({ op, ...s }))))(
    '$op matches argReduceRowsRef exactly: $rows x $rowLength ($why)',
    async ({ op, rows, rowLength }, { device }) => {
      const input = seededF32(rows * rowLength, rows + rowLength, -5, 5);
      expect(await runOnGpu(device, op, input, rows, rowLength)).toEqual(Array.from(argReduceRowsRef(op, input, rows, rowLength)));
      expect(liveBufferCount(device)).toBe(0);
    },
  );

  gpuTest('ties go to the lowest index, across threads, workgroups and passes', async ({ device }) => {
    // Few distinct values: every row has its extreme many times, spread over both passes.
    const rows = 6;
    const rowLength = 3 * ARG_REDUCE_CHUNK + 11;
    const input = Float32Array.from(seededInts(rows * rowLength, 8, 0, 4));
    for (const op of ARG_REDUCE_OPS) {
      const want = argReduceRowsRef(op, input, rows, rowLength);
      for (let r = 0; r < rows; r++) {
        const row = input.subarray(r * rowLength, (r + 1) * rowLength);
        expect(want[r]).toBe(row.indexOf(op === 'argmax' ? Math.max(...row.subarray(0, 100)) : Math.min(...row.subarray(0, 100))));
      }
      expect(await runOnGpu(device, op, input, rows, rowLength)).toEqual(Array.from(want));
    }
    // One row whose extreme appears only late, in the last chunk: the index must survive both passes.
    const late = new Float32Array(rowLength).fill(1);
    late[rowLength - 1] = 2;
    late[rowLength - 2] = 0;
    expect(await runOnGpu(device, 'argmax', late, 1, rowLength)).toEqual([rowLength - 1]);
    expect(await runOnGpu(device, 'argmin', late, 1, rowLength)).toEqual([rowLength - 2]);
    // Both passes go to the GPU in one queue.submit.
    const src = uploadBuffer(device, late, 'input');
    const { result: out, submits } = await countSubmits(() => argReduceRows(device, { op: 'argmax', input: src, rows: 1, rowLength }));
    expect(submits).toBe(1);
    expect(Array.from(await readUint32(device, out, 1))).toEqual([rowLength - 1]);
    releaseBuffer(device, out);
    releaseBuffer(device, src);
  });

  gpuTest('NaN counts as the extreme (first NaN wins); -Inf and +Inf are ordinary values', async ({ device }) => {
    const rowLength = ARG_REDUCE_CHUNK + 9;
    const rows = 4;
    const input = seededF32(rows * rowLength, 4, -1, 1);
    input[0 * rowLength + ARG_REDUCE_CHUNK + 3] = NaN;
    input[0 * rowLength + ARG_REDUCE_CHUNK + 7] = NaN;
    input[1 * rowLength + 5] = -Infinity;
    input[1 * rowLength + 6] = Infinity;
    input.fill(-Infinity, 2 * rowLength, 3 * rowLength); // all -Inf: index 0 for both ops
    input[3 * rowLength + 2] = NaN;
    const want: Record<ArgReduceOp, number[]> = { argmax: [ARG_REDUCE_CHUNK + 3, 6, 0, 2], argmin: [ARG_REDUCE_CHUNK + 3, 5, 0, 2] };
    for (const op of ARG_REDUCE_OPS) {
      expect(Array.from(argReduceRowsRef(op, input, rows, rowLength)), `${op} reference`).toEqual(want[op]);
      expect(await runOnGpu(device, op, input, rows, rowLength), op).toEqual(want[op]);
    }
  });

  gpuTest('writes into a given output, frees its intermediates and rejects bad input', async ({ device }) => {
    const rows = 3;
    const rowLength = 5000;
    const input = seededF32(rows * rowLength, 1);
    const src = uploadBuffer(device, input, 'input');
    const out = createBuffer(device, rows * 4, 'out');
    const before = liveBufferCount(device);
    expect(await argReduceRows(device, { op: 'argmax', input: src, rows, rowLength, output: out })).toBe(out);
    expect(liveBufferCount(device)).toBe(before);
    expect(Array.from(await readUint32(device, out, rows))).toEqual(Array.from(argReduceRowsRef('argmax', input, rows, rowLength)));
    await expect(argReduceRows(device, { op: 'argmax', input: src, rows: 4, rowLength })).rejects.toThrow(ShapeMismatchError);
    await expect(argReduceRows(device, { op: 'argmax', input: src, rows, rowLength: 0 })).rejects.toThrow(
      /rowLength must be an integer >= 1/,
    );
    const controller = new AbortController();
    controller.abort();
    await expect(argReduceRows(device, { op: 'argmin', input: src, rows, rowLength, signal: controller.signal })).rejects.toThrow(
      AbortedError,
    );
    expect(liveBufferCount(device)).toBe(before);
    releaseBuffer(device, out);
    releaseBuffer(device, src);
  });
});
