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

/** The counts of one values part (values2 and values3 empty). */
const onePart = (valueCount: number, valuesInt: number) => ({
  valueCount,
  valuesInt,
  value2Count: 0,
  values2Int: 0,
  value3Count: 0,
  values3Int: 0,
});

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('finite-readout', () => {
  gpuTest.for(CASES)('matches finiteReadoutRef: $why', async ({ first, second, values }, { device }) => {
    // Zero-length arrays still need a binding: bind a one-element buffer, counts say what is used.
    const buffer = (a: Float32Array<ArrayBuffer>, label: string) => uploadBuffer(device, a.length ? a : new Float32Array(1), label);
    const [f, s, v] = [buffer(first, 'first'), buffer(second, 'second'), buffer(values, 'values')];
    const size = 2 + values.length;
    const output = uploadBuffer(device, new Float32Array(size + 4).fill(-3), 'output');
    await runKernel(device, finiteReadout, {
      params: { firstCount: first.length, secondCount: second.length, ...onePart(values.length, 0) },
      first: f,
      second: s,
      values: v,
      output,
      values2: f,
      values3: f,
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
      params: { firstCount: first.length, secondCount: 0, ...onePart(classes.length, 1) },
      first: f,
      second: f,
      values: v,
      output,
      values2: f,
      values3: f,
    });
    const got = await readFloat32(device, output, 2 + classes.length);
    expect(bits(got)).toEqual(bits(finiteReadoutRef(first, [], classes)));
    [f, v, output].forEach((b) => releaseBuffer(device, b));
  });

  gpuTest.for([
    { why: 'peaks, classes (i32) and a host copy', counts: [1, 1, 784], ints: [0, 1, 0] },
    { why: 'chosen classes (i32) and a host copy, ragged strides', counts: [3, 130, 0], ints: [1, 0, 0] },
    { why: 'only the third part', counts: [0, 0, 65], ints: [0, 0, 1] },
  ])('writes up to three values parts one after another: $why', async ({ counts, ints }, { device }) => {
    const first = withBad(100, 18);
    const second = withBad(10, 19, { 4: NaN });
    // An i32 part holds class indices; a float part holds any bits, NaN included.
    const parts = counts.map((n, p) =>
      ints[p] ? Int32Array.from({ length: n }, (_, i) => (i * 7919) % 1000) : withBad(n, 20 + p, n > 1 ? { 1: NaN } : {}).subarray(0, n),
    );
    const [f, s] = [uploadBuffer(device, first, 'first'), uploadBuffer(device, second, 'second')];
    const v = parts.map((part, p) =>
      uploadBuffer(device, new Float32Array(part.length ? part.buffer.slice(0, part.length * 4) : new ArrayBuffer(4)), `part ${p}`),
    );
    const size = 2 + counts.reduce((a, b) => a + b, 0);
    const output = uploadBuffer(device, new Float32Array(size + 4).fill(-3), 'output');
    const [c0, c1, c2] = counts as [number, number, number];
    const [i0, i1, i2] = ints as [number, number, number];
    await runKernel(device, finiteReadout, {
      params: {
        firstCount: 100,
        secondCount: 10,
        valueCount: c0,
        valuesInt: i0,
        value2Count: c1,
        values2Int: i1,
        value3Count: c2,
        values3Int: i2,
      },
      first: f,
      second: s,
      values: v[0]!,
      output,
      values2: v[1]!,
      values3: v[2]!,
    });
    const got = await readFloat32(device, output, size + 4);
    expect(bits(got.subarray(0, size))).toEqual(bits(finiteReadoutRef(first, second, ...parts)));
    expect(got[1]).toBe(0); // the second's NaN
    expect(Array.from(got.subarray(size))).toEqual([-3, -3, -3, -3]);
    [f, s, ...v, output].forEach((b) => releaseBuffer(device, b));
    expect(liveBufferCount(device)).toBe(0);
  });
});
