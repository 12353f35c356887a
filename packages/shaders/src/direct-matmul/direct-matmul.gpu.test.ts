// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest, seededF32 } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import {
  DIRECT_MATMUL_ACTIVATIONS,
  directMatmul,
  directMatmulFor,
  directMatmulInvocations,
  type DirectMatmulActivation,
} from './direct-matmul.kernel.js';
import { directMatmulRef, type DirectMatmulShape } from './direct-matmul.ref.js';

interface MatmulCase extends DirectMatmulShape {
  readonly why: string;
}

const plain = { aBatches: 1, bBatches: 1, transposeA: false, transposeB: false };
const CASES: readonly MatmulCase[] = [
  { ...plain, batch: 1, rows: 1, cols: 1, inner: 1, why: 'one element' },
  { ...plain, batch: 1, rows: 1, cols: 10, inner: 64, why: 'MNIST dense layer, batch 1' },
  { ...plain, batch: 1, rows: 1, cols: 64, inner: 10, transposeB: true, why: "the dense layer's input gradient" },
  { ...plain, batch: 1, rows: 64, cols: 10, inner: 1, transposeA: true, why: "the dense layer's weight gradient" },
  { ...plain, batch: 1, rows: 16, cols: 10, inner: 64, why: 'batch 16 through the dense layer' },
  { batch: 3, rows: 5, cols: 7, inner: 9, aBatches: 3, bBatches: 3, transposeA: true, transposeB: true, why: 'both transposed, odd sizes' },
  { batch: 4, rows: 6, cols: 3, inner: 5, aBatches: 1, bBatches: 4, transposeA: false, transposeB: true, why: 'A broadcast' },
  { batch: 2, rows: 3, cols: 9, inner: 7, aBatches: 2, bBatches: 1, transposeA: true, transposeB: false, why: 'B broadcast' },
  { ...plain, batch: 2, rows: 33, cols: 70, inner: 1000, why: 'long sums, partial tiles' },
];

async function matmulGpu(
  device: GPUDevice,
  s: DirectMatmulShape,
  a: Float32Array<ArrayBuffer>,
  b: Float32Array<ArrayBuffer>,
  bias?: Float32Array<ArrayBuffer>,
  activation: DirectMatmulActivation = 'linear',
  alpha = 0,
  sentinels = 0,
): Promise<Float32Array> {
  const count = s.batch * s.rows * s.cols;
  const inputs = [uploadBuffer(device, a, 'a'), uploadBuffer(device, b, 'b')] as const;
  const biasBuffer = bias ? uploadBuffer(device, bias, 'bias') : undefined;
  // The output buffer starts as NaN, `sentinels` values longer than the output: nothing past it may change.
  const out = uploadBuffer(device, new Float32Array(count + sentinels).fill(NaN), 'out');
  const params = {
    count: directMatmulInvocations(s),
    rows: s.rows,
    cols: s.cols,
    inner: s.inner,
    aBatches: s.aBatches,
    bBatches: s.bBatches,
    alpha,
  };
  const kernel = directMatmulFor({ activation, hasBias: bias !== undefined, transposeA: s.transposeA, transposeB: s.transposeB });
  await runKernel(device, kernel, { params, a: inputs[0], b: inputs[1], bias: biasBuffer ?? inputs[1], out });
  const values = await readFloat32(device, out, count + sentinels);
  [...inputs, out, ...(biasBuffer ? [biasBuffer] : [])].forEach((buffer) => releaseBuffer(device, buffer));
  return values;
}

const operands = (s: DirectMatmulShape, seed: number, lo = -1, hi = 1) =>
  [seededF32(s.aBatches * s.rows * s.inner, seed, lo, hi), seededF32(s.bBatches * s.inner * s.cols, seed + 1, lo, hi)] as const;

describe('direct-matmul', () => {
  gpuTest.for(CASES)(
    'matches directMatmulRef: batch $batch, $rows x $inner x $cols, transposeA $transposeA, transposeB $transposeB ($why)',
    async (s, { device }) => {
      const [a, b] = operands(s, 1);
      const got = await matmulGpu(device, s, a, b, undefined, 'linear', 0, 5);
      const count = s.batch * s.rows * s.cols;
      expect(got.subarray(0, count)).toBeAllClose(directMatmulRef(a, b, s), directMatmul.tolerance);
      expect(Array.from(got.subarray(count))).toEqual([NaN, NaN, NaN, NaN, NaN]);
      expect(liveBufferCount(device)).toBe(0);
    },
  );

  gpuTest.for(Object.keys(DIRECT_MATMUL_ACTIVATIONS) as DirectMatmulActivation[])(
    'bias + %s matches directMatmulRef',
    async (activation, { device }) => {
      const s: DirectMatmulShape = { batch: 2, rows: 5, cols: 6, inner: 7, aBatches: 2, bBatches: 1, transposeA: false, transposeB: true };
      const [a, b] = operands(s, 3, -2, 2);
      const bias = seededF32(6, 5, -4, 4);
      const got = await matmulGpu(device, s, a, b, bias, activation, 0.2);
      expect(got).toBeAllClose(directMatmulRef(a, b, s, bias, activation, 0.2), directMatmul.tolerance);
      // The activation matters on these values: outputs on both sides of 0 (and past 6 for relu6).
      const ref = directMatmulRef(a, b, s, bias);
      expect(ref.some((v) => v < -1) && ref.some((v) => v > 6)).toBe(true);
    },
  );

  gpuTest('an infinite value in the last row or column reaches only its own outputs (clamped lanes)', async ({ device }) => {
    // A [5,1], B [1,5]: out[r][c] = a[r] * b[c]; the clamped lanes of the second tiles re-read row / column 4.
    const s: DirectMatmulShape = { ...plain, batch: 1, rows: 5, cols: 5, inner: 1 };
    const got = await matmulGpu(device, s, Float32Array.from([1, 2, 3, 4, Infinity]), Float32Array.from([1, 1, 1, 1, 2]));
    const expected = [1, 2, 3, 4, Infinity].flatMap((x) => [x, x, x, x, 2 * x]);
    expect(Array.from(got)).toEqual(expected);
  });
});
