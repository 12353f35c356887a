// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest, seededF32, seededInts } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { runKernelSync } from '../runtime/kernel-sync.js';
import { liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { directMaxPool } from './direct-max-pool.kernel.js';
import { poolQuadsParams } from './pool-quads.js';
import { directMaxPoolRef, MAX_POOL_START } from './direct-max-pool.ref.js';
import { maxPoolGeometry, type MaxPoolGeometry } from './max-pool-grad.ref.js';

type Shape = [number, number, number, number];

const CASES: { shape: Shape; filter: [number, number]; strides: [number, number]; padding: 'same' | 'valid'; why: string }[] = [
  { shape: [1, 1, 1, 4], filter: [1, 1], strides: [1, 1], padding: 'valid', why: 'one cell' },
  { shape: [1, 4, 4, 4], filter: [2, 2], strides: [2, 2], padding: 'valid', why: 'less than one workgroup' },
  { shape: [2, 7, 5, 8], filter: [2, 2], strides: [2, 2], padding: 'valid', why: 'ragged: odd sizes drop the last row/column, batch 2' },
  { shape: [2, 7, 5, 8], filter: [2, 2], strides: [2, 2], padding: 'same', why: 'same padding at the bottom/right' },
  { shape: [1, 9, 11, 4], filter: [3, 3], strides: [2, 2], padding: 'same', why: 'overlapping windows, padding on every side' },
  { shape: [3, 8, 9, 4], filter: [3, 2], strides: [1, 2], padding: 'valid', why: 'non-square window, stride 1 rows' },
  { shape: [1, 28, 28, 16], filter: [2, 2], strides: [2, 2], padding: 'valid', why: "the MNIST CNN's first pool" },
  { shape: [1, 14, 14, 32], filter: [2, 2], strides: [2, 2], padding: 'valid', why: "the MNIST CNN's second pool" },
  { shape: [4, 33, 31, 12], filter: [3, 3], strides: [2, 2], padding: 'same', why: 'a batch, several workgroups' },
];

/** Values from a few levels, most windows hold ties, with infinities, -0 and values below the start value. */
function edgyValues(length: number, seed: number): Float32Array<ArrayBuffer> {
  const levels = [-Infinity, -3e38, -1, -0, 0, 0.5, 1, Infinity];
  return Float32Array.from(seededInts(length, seed, 0, levels.length), (k) => levels[k]!);
}

const SENTINELS = 4;

/** The kernel's output for `x`, plus SENTINELS values past its end (NaN unless written). */
async function poolGpu(device: GPUDevice, x: Float32Array<ArrayBuffer>, g: MaxPoolGeometry, sync = false): Promise<Float32Array> {
  const count = g.batch * g.outHeight * g.outWidth * g.channels;
  const input = uploadBuffer(device, x, 'x');
  const y = uploadBuffer(device, new Float32Array(count + SENTINELS).fill(NaN), 'y');
  const args = { params: poolQuadsParams(g), x: input, y };
  await (sync ? runKernelSync(device, directMaxPool, args) : runKernel(device, directMaxPool, args));
  const out = await readFloat32(device, y, count + SENTINELS);
  [input, y].forEach((b) => releaseBuffer(device, b));
  return out;
}

const bitsOf = (v: Float32Array) => Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length));

describe('direct-max-pool', () => {
  gpuTest.for(CASES)('matches directMaxPoolRef: $shape $filter/$strides $padding ($why)', async (c, { device }) => {
    const g = maxPoolGeometry(c.shape, c.filter, c.strides, c.padding);
    const size = c.shape.reduce((a, b) => a * b, 1);
    for (const x of [seededF32(size, size, -2, 2), edgyValues(size, size + 1)]) {
      const got = await poolGpu(device, x, g);
      const count = got.length - SENTINELS;
      expect(got.subarray(0, count)).toBeAllClose(directMaxPoolRef(x, g), directMaxPool.tolerance);
      expect(Array.from(got.subarray(count))).toEqual([NaN, NaN, NaN, NaN]);
    }
    expect(liveBufferCount(device)).toBe(0);
  });

  gpuTest("tfjs's start value: windows below -1e20 or wholly in the padding give -1e20", async ({ device }) => {
    // 2x2 image, 2x2 windows with stride 2 and 2 rows / columns of padding before: output (0, 0) sees only padding.
    const g = { ...maxPoolGeometry([1, 2, 2, 4], [2, 2], [2, 2], 'valid'), outHeight: 2, outWidth: 2, padTop: 2, padLeft: 2 };
    const x = new Float32Array(16).fill(-3e38);
    const got = await poolGpu(device, x, g);
    expect(Array.from(got.subarray(0, 16))).toEqual(new Array<number>(16).fill(MAX_POOL_START));
    expect(MAX_POOL_START).toBe(Math.fround(-1 / Math.pow(10, -20)));
  });

  gpuTest('-0 and infinities come through bit for bit; -inf alone gives the start value', async ({ device }) => {
    const g = maxPoolGeometry([1, 2, 2, 4], [2, 2], [2, 2], 'valid');
    // Channel by channel: [-0 only], [+inf among finite], [-inf only], [-1, -inf].
    const x = Float32Array.from([
      -0,
      3,
      -Infinity,
      -1,
      -0,
      Infinity,
      -Infinity,
      -Infinity,
      -0,
      1,
      -Infinity,
      -Infinity,
      -0,
      2,
      -Infinity,
      -Infinity,
    ]);
    const got = (await poolGpu(device, x, g)).subarray(0, 4);
    expect(bitsOf(got)).toEqual(bitsOf(directMaxPoolRef(x, g)));
    expect(Array.from(got)).toEqual([-0, Infinity, MAX_POOL_START, -1]);
  });

  gpuTest('runKernelSync gives the same bits as runKernel and leaks nothing', async ({ device }) => {
    const g = maxPoolGeometry([2, 9, 11, 8], [3, 3], [2, 2], 'same');
    const x = seededF32(2 * 9 * 11 * 8, 5);
    expect(bitsOf(await poolGpu(device, x, g, true))).toEqual(bitsOf(await poolGpu(device, x, g)));
    expect(liveBufferCount(device)).toBe(0);
  });
});
