// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest, seededF32 } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { finiteReadout } from './finite-readout.kernel.js';
import { finiteReadoutRef } from './finite-readout.ref.js';

/** `count` finite values with `bad` written at the given positions. */
function withBad(count: number, seed: number, bad: Record<number, number> = {}): Float32Array<ArrayBuffer> {
  const values = seededF32(Math.max(count, 1), seed, -1e30, 1e30);
  for (const [at, v] of Object.entries(bad)) values[Number(at)] = v;
  return values;
}

const CASES = [
  { why: 'all finite, a 28x28 image and 10 scores', first: withBad(784, 1), second: withBad(10, 2), values: withBad(3, 3) },
  {
    why: 'NaN in the first array, last of a ragged stride',
    first: withBad(784, 4, { 783: NaN }),
    second: withBad(10, 5),
    values: withBad(2, 6),
  },
  {
    why: '+Inf first element of the first, -Inf in the second',
    first: withBad(100, 7, { 0: Infinity }),
    second: withBad(10, 8, { 9: -Infinity }),
    values: withBad(1, 9),
  },
  { why: 'only the second is bad', first: withBad(64, 10), second: withBad(5, 11, { 2: NaN }), values: withBad(130, 12) },
  { why: 'no second array, no values', first: withBad(5, 13), second: new Float32Array(0), values: new Float32Array(0) },
  {
    why: 'a 224x224x3 image with a NaN far in',
    first: withBad(224 * 224 * 3, 14, { 150000: NaN }),
    second: withBad(1000, 15),
    values: withBad(4, 16),
  },
  {
    why: 'the largest finite values and denormals are finite',
    first: Float32Array.from([3.4028234e38, -3.4028234e38, 1e-45, -0]),
    second: Float32Array.from([1.17e-38]),
    values: Float32Array.from([NaN, 7]),
  },
];

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('finite-readout', () => {
  gpuTest.for(CASES)('matches finiteReadoutRef: $why', async ({ first, second, values }, { device }) => {
    // Zero-length arrays still need a binding: bind a one-element buffer, counts say what is used.
    const buffer = (a: Float32Array<ArrayBuffer>, label: string) => uploadBuffer(device, a.length ? a : new Float32Array(1), label);
    const [f, s, v] = [buffer(first, 'first'), buffer(second, 'second'), buffer(values, 'values')];
    const size = 2 + values.length;
    const output = uploadBuffer(device, new Float32Array(size + 4).fill(-3), 'output');
    await runKernel(device, finiteReadout, {
      params: { firstCount: first.length, secondCount: second.length, valueCount: values.length, valuesInt: 0 },
      first: f,
      second: s,
      values: v,
      output,
    });
    const got = await readFloat32(device, output, size + 4);
    // Exact, NaN values included: compare bits.
    expect(bits(got.subarray(0, size))).toEqual(bits(finiteReadoutRef(first, second, values)));
    expect(Array.from(got.subarray(size))).toEqual([-3, -3, -3, -3]); // nothing past the values
    [f, s, v, output].forEach((b) => releaseBuffer(device, b));
    expect(liveBufferCount(device)).toBe(0);
  });

  gpuTest('converts i32 values (valuesInt: 1), as a chosen class is stored', async ({ device }) => {
    const classes = Int32Array.from([0, 7, 999, -3, 1 << 20]);
    const first = withBad(20, 17);
    const f = uploadBuffer(device, first, 'first');
    const v = uploadBuffer(device, new Float32Array(classes.buffer), 'values');
    const output = uploadBuffer(device, new Float32Array(2 + classes.length), 'output');
    await runKernel(device, finiteReadout, {
      params: { firstCount: first.length, secondCount: 0, valueCount: classes.length, valuesInt: 1 },
      first: f,
      second: f,
      values: v,
      output,
    });
    const got = await readFloat32(device, output, 2 + classes.length);
    expect(bits(got)).toEqual(bits(finiteReadoutRef(first, [], classes)));
    [f, v, output].forEach((b) => releaseBuffer(device, b));
  });
});
