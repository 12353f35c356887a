// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { countSubmits, gpuTest, seededF32, seededInts } from '@webxai/testing';
import { createBuffer, liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { AbortedError, ShapeMismatchError, XaiError } from '../runtime/errors.js';
import { REDUCE_CHUNK, REDUCE_OPS, reducePassLengths, reduceRowsErrorBound, type ReduceOp } from './reduce-rows.kernel.js';
import { reduceRowsRef } from './reduce-rows.ref.js';
import { reduceRows } from './reduce-rows.js';

const U = 2 ** -24;

/** Per-row magnitude the sum bound is relative to: sum |x| (sum) or sum x^2 (sumsq), in f64. */
function magnitudes(op: ReduceOp, input: Float32Array, rows: number, rowLength: number): Float64Array {
  const m = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let i = r * rowLength; i < (r + 1) * rowLength; i++) m[r]! += op === 'sumsq' ? input[i]! * input[i]! : Math.abs(input[i]!);
  }
  return m;
}

/** GPU vs f32-rounded f64 reference: exact for min/max, within (gamma_h + u + f64 slack) * M for sums. */
function expectWithinBound(op: ReduceOp, gpu: Float32Array, input: Float32Array, rows: number, rowLength: number): void {
  const ref = reduceRowsRef(op, input, rows, rowLength);
  if (op === 'min' || op === 'max') {
    expect(Array.from(gpu)).toEqual(Array.from(ref));
    return;
  }
  const bound = reduceRowsErrorBound(op, rowLength) + U + rowLength * 2 ** -52;
  const m = magnitudes(op, input, rows, rowLength);
  for (let r = 0; r < rows; r++) {
    const error = Math.abs(gpu[r]! - ref[r]!);
    expect(error, `row ${r}: gpu ${gpu[r]} ref ${ref[r]} magnitude ${m[r]}`).toBeLessThanOrEqual(bound * m[r]!);
  }
}

async function runOnGpu(device: GPUDevice, op: ReduceOp, input: Float32Array<ArrayBuffer>, rows: number, rowLength: number) {
  const src = uploadBuffer(device, input, 'input');
  const out = await reduceRows(device, { op, input: src, rows, rowLength });
  const values = await readFloat32(device, out, rows);
  releaseBuffer(device, src);
  releaseBuffer(device, out);
  return values;
}

const SHAPES = [
  { rows: 1, rowLength: 1, why: 'one element' },
  { rows: 1, rowLength: 200, why: 'one image smaller than one workgroup' },
  { rows: 3, rowLength: 1000, why: 'ragged: rows not a multiple of the workgroup' },
  { rows: 7, rowLength: 2 * REDUCE_CHUNK + 37, why: 'ragged last chunk, two passes' },
  { rows: 130, rowLength: 3, why: 'many tiny rows' },
];

describe('reduce-rows', () => {
  gpuTest.for(REDUCE_OPS.flatMap((op) => SHAPES.map((s) => ({ op, ...s }))))(
    '$op matches reduceRowsRef: $rows x $rowLength ($why)',
    async ({ op, rows, rowLength }, { device }) => {
      const input = seededF32(rows * rowLength, rows * 1000 + rowLength, -2, 3);
      expectWithinBound(op, await runOnGpu(device, op, input, rows, rowLength), input, rows, rowLength);
      expect(liveBufferCount(device)).toBe(0);
    },
  );

  gpuTest('sum and max of 64 x 224x224x3 (one batch of ImageNet-sized images)', async ({ device }) => {
    const rows = 64;
    const rowLength = 224 * 224 * 3;
    const input = seededF32(rows * rowLength, 64, -1, 1);
    const src = uploadBuffer(device, input, 'input');
    for (const op of ['sum', 'max'] as const) {
      const out = await reduceRows(device, { op, input: src, rows, rowLength });
      expectWithinBound(op, await readFloat32(device, out, rows), input, rows, rowLength);
      releaseBuffer(device, out);
    }
    releaseBuffer(device, src);
  });

  gpuTest('three passes: one row of 4096^2 + 1 values', async ({ device }) => {
    const rowLength = REDUCE_CHUNK * REDUCE_CHUNK + 1;
    expect(reducePassLengths(rowLength)).toEqual([rowLength, REDUCE_CHUNK + 1, 2]);
    const input = seededF32(rowLength, 3, 0, 1);
    expectWithinBound('sum', await runOnGpu(device, 'sum', input, 1, rowLength), input, 1, rowLength);
    // The three passes go to the GPU in one queue.submit.
    const src = uploadBuffer(device, input, 'input');
    const { result: out, submits } = await countSubmits(() => reduceRows(device, { op: 'max', input: src, rows: 1, rowLength }));
    expect(submits).toBe(1);
    expect(Array.from(await readFloat32(device, out, 1))).toEqual([input.reduce((a, b) => Math.max(a, b), -Infinity)]);
    releaseBuffer(device, out);
    releaseBuffer(device, src);
  });

  gpuTest('sums of small integers are exact while every partial sum stays below 2^24', async ({ device }) => {
    const rows = 4;
    const rowLength = 100_003;
    // Every partial sum is bounded by the sum of |terms| <= 100,003 * 40 (sum) or 100,003 * 12^2
    // (sumsq), both < 2^24, so every f32 add is exact whatever the order.
    for (const [op, limit] of [
      ['sum', 40],
      ['sumsq', 12],
    ] as const) {
      const input = Float32Array.from(seededInts(rows * rowLength, limit, -limit, limit + 1));
      expect(Array.from(await runOnGpu(device, op, input, rows, rowLength))).toEqual(Array.from(reduceRowsRef(op, input, rows, rowLength)));
    }
  });

  gpuTest('NaN and Inf: NaN propagates through every op; Inf follows IEEE', async ({ device }) => {
    const rowLength = REDUCE_CHUNK + 5; // the special value lands in the first or the second chunk
    const specials: Array<[number, number][]> = [
      [[0, NaN]],
      [[REDUCE_CHUNK + 4, NaN]],
      [[7, Infinity]],
      [[REDUCE_CHUNK + 1, -Infinity]],
      [
        [3, Infinity],
        [REDUCE_CHUNK + 2, -Infinity],
      ],
      [
        [9, NaN],
        [10, Infinity],
      ],
    ];
    const rows = specials.length;
    const input = seededF32(rows * rowLength, 11, -1, 1);
    specials.forEach((row, r) => row.forEach(([i, v]) => (input[r * rowLength + i] = v)));
    const want: Record<ReduceOp, number[]> = {
      sum: [NaN, NaN, Infinity, -Infinity, NaN, NaN],
      sumsq: [NaN, NaN, Infinity, Infinity, Infinity, NaN],
      min: [NaN, NaN, null, -Infinity, -Infinity, NaN].map(
        (v, r) => v ?? reduceRowsRef('min', input.subarray(r * rowLength), 1, rowLength)[0]!,
      ),
      max: [NaN, NaN, Infinity, null, Infinity, NaN].map(
        (v, r) => v ?? reduceRowsRef('max', input.subarray(r * rowLength), 1, rowLength)[0]!,
      ),
    };
    for (const op of REDUCE_OPS) {
      const gpu = Array.from(await runOnGpu(device, op, input, rows, rowLength));
      expect(gpu, op).toEqual(want[op]);
      expect(Array.from(reduceRowsRef(op, input, rows, rowLength)), `${op} (reference)`).toEqual(want[op]);
    }
  });

  gpuTest('writes into a given output and allocates nothing that outlives the call', async ({ device }) => {
    const rows = 5;
    const rowLength = 3 * REDUCE_CHUNK;
    const input = seededF32(rows * rowLength, 2);
    const src = uploadBuffer(device, input, 'input');
    const out = createBuffer(device, rows * 4, 'out');
    const before = liveBufferCount(device);
    expect(await reduceRows(device, { op: 'min', input: src, rows, rowLength, output: out })).toBe(out);
    expect(liveBufferCount(device)).toBe(before);
    expect(Array.from(await readFloat32(device, out, rows))).toEqual(Array.from(reduceRowsRef('min', input, rows, rowLength)));
    const created = await reduceRows(device, { op: 'sumsq', input: src, rows, rowLength });
    expect(liveBufferCount(device)).toBe(before + 1); // only the output
    releaseBuffer(device, created);
    releaseBuffer(device, out);
    releaseBuffer(device, src);
  });

  gpuTest('rejects bad shapes, ops and aborted signals with typed errors, leaking nothing', async ({ device }) => {
    const src = uploadBuffer(device, new Float32Array(100), 'input');
    const before = liveBufferCount(device);
    await expect(reduceRows(device, { op: 'sum', input: src, rows: 2, rowLength: 51 })).rejects.toThrow(ShapeMismatchError);
    await expect(reduceRows(device, { op: 'sum', input: src, rows: 2, rowLength: 51 })).rejects.toThrow(/rows \* rowLength = 2 \* 51/);
    await expect(reduceRows(device, { op: 'sum', input: src, rows: 0, rowLength: 1 })).rejects.toThrow(/rows must be an integer >= 1/);
    await expect(reduceRows(device, { op: 'mean' as ReduceOp, input: src, rows: 1, rowLength: 1 })).rejects.toThrow(XaiError);
    const small = createBuffer(device, 4, 'small-out');
    await expect(reduceRows(device, { op: 'max', input: src, rows: 20, rowLength: 5, output: small })).rejects.toThrow(
      /output holds 4 f32/,
    );
    releaseBuffer(device, small);
    const controller = new AbortController();
    controller.abort();
    await expect(reduceRows(device, { op: 'max', input: src, rows: 1, rowLength: 100, signal: controller.signal })).rejects.toThrow(
      AbortedError,
    );
    expect(liveBufferCount(device)).toBe(before);
    releaseBuffer(device, src);
  });
});

describe('reduceRowsErrorBound', () => {
  it('is gamma_h for the summation depth of the pass plan (62 for 224x224x3)', () => {
    // 16 values per invocation, 16 partials per level-1 fold, 16 folds; then 37 partials: 1 per
    // invocation, 16 per fold, 3 folds
    const h = 15 + 15 + 15 + (0 + 15 + 2);
    expect(reduceRowsErrorBound('sum', 224 * 224 * 3)).toBeCloseTo((h * U) / (1 - h * U), 20);
    expect(reduceRowsErrorBound('sumsq', 224 * 224 * 3)).toBeCloseTo(((h + 1) * U) / (1 - (h + 1) * U), 20);
    expect(reduceRowsErrorBound('sum', 1)).toBe(0); // one value: no addition
    expect(reduceRowsErrorBound('max', 1e6)).toBe(0);
  });
});
