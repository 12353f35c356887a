// SPDX-License-Identifier: Apache-2.0
// readFinite: the finite-readout kernel on webgpu and tfjs's ops (cpu, and past the kernel's limit) read the same.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { seededF32 } from '@webxai/testing';
import { checkWebgpuLeaksPerTest, dispatchedProgramKeys } from '../../test/kernel-wrapper-hooks.js';
import { FINITE_READOUT_LIMIT, readFinite } from './finite-readout.js';

/** `[n]` float32 with `bad` at the given positions. */
function tensorWith(n: number, seed: number, bad: Record<number, number> = {}): tf.Tensor1D {
  const values = seededF32(n, seed, -5, 5);
  for (const [at, v] of Object.entries(bad)) values[Number(at)] = v;
  return tf.tensor1d(values);
}

const CASES = [
  { why: 'all finite', first: [784, {}], second: [10, {}] },
  { why: 'NaN in the input', first: [784, { 700: NaN }], second: [10, {}] },
  { why: 'Inf in the scores', first: [784, {}], second: [10, { 3: -Infinity }] },
  { why: 'past the kernel limit (tfjs ops)', first: [FINITE_READOUT_LIMIT + 5, { [FINITE_READOUT_LIMIT + 4]: NaN }], second: [10, {}] },
] as const;

describe('readFinite (webgpu kernel vs tfjs ops on cpu)', () => {
  checkWebgpuLeaksPerTest(() => undefined);

  it.each(CASES)('reads the same flags and values on both backends: $why', async ({ first, second }) => {
    const read = async (backend: string) => {
      await tf.setBackend(backend);
      const a = tensorWith(first[0], 1, first[1]);
      const b = tensorWith(second[0], 2, second[1]);
      const values = tf.tensor1d([0.5, -2, 7]);
      const withSecond = Array.from(await readFinite(a, b, [values]));
      const alone = Array.from(await readFinite(a));
      tf.dispose([a, b, values]);
      return { withSecond, alone };
    };
    const cpu = await read('cpu');
    const gpu = await read('webgpu');
    expect(gpu).toEqual(cpu);
    const firstOk = Object.keys(first[1]).length === 0 ? 1 : 0;
    const secondOk = Object.keys(second[1]).length === 0 ? 1 : 0;
    expect(gpu.withSecond).toEqual([firstOk, secondOk, 0.5, -2, 7]);
    expect(gpu.alone).toEqual([firstOk, 1]);
  });

  it('reads classes stored as int32 (an argMax, also after a cast to float32, which keeps the int32 data)', async () => {
    const a = tensorWith(50, 6);
    const classes = tf.tensor1d([3, 0, 9], 'int32');
    const relabelled = tf.cast(classes, 'float32');
    expect(Array.from(await readFinite(a, undefined, [relabelled]))).toEqual([1, 1, 3, 0, 9]);
    expect(Array.from(await readFinite(a, undefined, [classes]))).toEqual([1, 1, 3, 0, 9]);
    tf.dispose([a, classes, relabelled]);
  });

  it('runs no tfjs program on webgpu for an input within the limit (one webxai dispatch)', async () => {
    const a = tensorWith(784, 3);
    const b = tensorWith(10, 4);
    await a.data();
    await b.data();
    const programs = await dispatchedProgramKeys(() => readFinite(a, b));
    expect(programs).toEqual([]);
    const big = tensorWith(FINITE_READOUT_LIMIT + 1, 5);
    expect((await dispatchedProgramKeys(() => readFinite(big))).length).toBeGreaterThan(0);
    tf.dispose([a, b, big]);
  });

  it('reads up to three parts (float32 and int32) one after another on both backends, with no tfjs program on webgpu', async () => {
    const read = async (backend: string) => {
      await tf.setBackend(backend);
      const a = tensorWith(784, 7);
      const scores = tensorWith(10, 8, { 2: NaN });
      const peaks = tf.tensor1d([0.25]);
      const classes = tf.tensor1d([3, 9], 'int32');
      const copy = tf.tensor3d(seededF32(12, 9, -1, 1), [1, 3, 4]);
      const parts = [peaks, classes, copy];
      await Promise.all([a, scores, ...parts].map((t) => t.data()));
      const programs = backend === 'webgpu' ? await dispatchedProgramKeys(() => readFinite(a, scores, parts)) : [];
      const got = {
        three: Array.from(await readFinite(a, scores, parts)),
        two: Array.from(await readFinite(a, undefined, [classes, copy])),
      };
      tf.dispose([a, scores, ...parts]);
      return { got, programs, copy: Array.from(seededF32(12, 9, -1, 1)) };
    };
    const cpu = await read('cpu');
    const gpu = await read('webgpu');
    expect(gpu.got).toEqual(cpu.got);
    expect(gpu.got.three).toEqual([1, 0, 0.25, 3, 9, ...gpu.copy]);
    expect(gpu.got.two).toEqual([1, 1, 3, 9, ...gpu.copy]);
    expect(gpu.programs).toEqual([]); // no Concat, no Cast
  });
});
