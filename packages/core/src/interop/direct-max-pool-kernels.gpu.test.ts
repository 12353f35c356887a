// SPDX-License-Identifier: Apache-2.0
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { seededF32, seededInts } from '@webxai/testing';
import { DIRECT_MAX_POOL_FLAG, directMaxPoolPlan, installDirectMaxPool, uninstallDirectMaxPool } from './direct-max-pool-kernels.js';
import { installFirstMaxPoolGrad } from './first-max-pool-grad.js';
import { activeAdapterIsSoftware, configureTfjs } from './tfjs-setup.js';
import { checkWebgpuLeaksPerTest, spyOnKernelDispatches, type KernelDispatchSpy } from '../../test/kernel-wrapper-hooks.js';

type Shape = [number, number, number, number];
type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

interface PoolCase {
  readonly name: string;
  readonly shape: Shape;
  readonly filter: [number, number];
  readonly strides: [number, number];
  readonly pad: Pad;
}

const CASES: readonly PoolCase[] = [
  { name: "MNIST CNN's first pool", shape: [1, 28, 28, 16], filter: [2, 2], strides: [2, 2], pad: 'valid' },
  { name: 'odd sizes, same padding, batch 2', shape: [2, 7, 5, 8], filter: [2, 2], strides: [2, 2], pad: 'same' },
  { name: 'overlapping 3x3 windows', shape: [1, 9, 11, 4], filter: [3, 3], strides: [2, 2], pad: 'same' },
  { name: 'non-square window, stride 1', shape: [3, 8, 9, 12], filter: [3, 2], strides: [1, 2], pad: 'valid' },
  { name: 'whole-image window at batch 2', shape: [2, 4, 4, 4], filter: [4, 4], strides: [1, 1], pad: 'valid' },
  {
    name: 'explicit padding',
    shape: [1, 6, 5, 8],
    filter: [3, 3],
    strides: [2, 2],
    pad: [
      [0, 0],
      [2, 1],
      [0, 2],
      [0, 0],
    ],
  },
];

/**
 * Values that probe every rule tfjs's program has: ties, +0 and -0 in one window, infinities,
 * values below the -1e20 start value, and NaN.
 */
function edgyValues(length: number, seed: number): Float32Array<ArrayBuffer> {
  const levels = [NaN, -Infinity, -3e38, -1, -0, 0, 0.5, 1, Infinity];
  return Float32Array.from(seededInts(length, seed, 0, levels.length), (k) => levels[k]!);
}

/** The bits of tf.maxPool over `values` on webgpu with the direct kernel on or off. */
async function poolBits(values: Float32Array, c: PoolCase, direct: boolean): Promise<number[]> {
  tf.env().set(DIRECT_MAX_POOL_FLAG, direct);
  const x = tf.tensor4d(values, c.shape);
  const y = tf.maxPool(x, c.filter, c.strides, c.pad);
  const data = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  return Array.from(new Uint32Array(data.buffer, data.byteOffset, data.length));
}

/** Dispatches of the direct kernel (counted by their bind groups' labels). */
let dispatches: KernelDispatchSpy;
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

describe("direct max pooling for tfjs-webgpu (Dawn + lavapipe): tfjs's own MaxPool, bit for bit", () => {
  checkWebgpuLeaksPerTest(() => {
    vi.restoreAllMocks();
    installDirectMaxPool(activeAdapterIsSoftware);
    tf.env().set(DIRECT_MAX_POOL_FLAG, activeAdapterIsSoftware());
  });
  beforeAll(() => {
    installDirectMaxPool(activeAdapterIsSoftware);
    dispatches = spyOnKernelDispatches('direct-max-pool');
  });
  afterAll(() => tf.env().set(DIRECT_MAX_POOL_FLAG, activeAdapterIsSoftware()));

  it('configureTfjs turns it on by default on a software adapter (lavapipe here)', () => {
    tf.env().reset(); // forget every value set so far; configureTfjs sets its own again
    configureTfjs();
    expect(tf.env().getBool(DIRECT_MAX_POOL_FLAG)).toBe(true);
    dispatches.count = 0;
    const c = CASES[0]!;
    const x = tf.ones<tf.Rank.R4>(c.shape);
    const y = tf.maxPool(x, c.filter, c.strides, c.pad);
    expect(dispatches.count).toBe(1);
    tf.dispose([x, y]);
  });

  it.for(CASES)('$name: seeded values and edge values (NaN, ±inf, ±0, < -1e20)', async (c) => {
    for (const values of [seededF32(size(c.shape), 3, -2, 2), edgyValues(size(c.shape), 4)]) {
      dispatches.count = 0;
      const direct = await poolBits(values, c, true);
      expect(dispatches.count).toBe(1);
      expect(direct).toEqual(await poolBits(values, c, false));
      expect(dispatches.count).toBe(1);
    }
  });

  it('the gradient through the direct forward is the same (first-max MaxPoolGrad reads x and dy)', async () => {
    installFirstMaxPoolGrad();
    const c = CASES[2]!;
    const values = Float32Array.from(seededInts(size(c.shape), 5, 0, 3), (k) => k / 2); // ties in most windows
    const gradientBits = async (direct: boolean) => {
      tf.env().set(DIRECT_MAX_POOL_FLAG, direct);
      const x = tf.tensor4d(values, c.shape);
      const g = tf.grad((v: tf.Tensor) =>
        tf
          .maxPool(v as tf.Tensor4D, c.filter, c.strides, c.pad)
          .square()
          .sum(),
      )(x);
      const data = (await g.data()) as Float32Array;
      tf.dispose([x, g]);
      return Array.from(new Uint32Array(data.buffer));
    };
    dispatches.count = 0;
    const direct = await gradientBits(true);
    expect(dispatches.count).toBe(1);
    expect(direct).toEqual(await gradientBits(false));
  });

  it.for([
    { name: '3 channels', shape: [1, 8, 8, 3], filter: [2, 2], strides: [2, 2], pad: 'valid' },
    { name: '1x1 window (a copy in tfjs)', shape: [1, 8, 8, 4], filter: [1, 1], strides: [2, 2], pad: 'valid' },
    { name: 'whole-image window at batch 1 (a Max reduction in tfjs)', shape: [1, 4, 4, 4], filter: [4, 4], strides: [1, 1], pad: 'valid' },
  ] as PoolCase[])("leaves $name to tfjs's kernel", async (c) => {
    const values = edgyValues(size(c.shape), 6);
    dispatches.count = 0;
    const wrapped = await poolBits(values, c, true);
    expect(dispatches.count).toBe(0);
    uninstallDirectMaxPool();
    expect(wrapped).toEqual(await poolBits(values, c, true));
    installDirectMaxPool(activeAdapterIsSoftware);
  });

  it("int32 input keeps tfjs's kernel", () => {
    expect(
      directMaxPoolPlan('MaxPool', { x: { dataId: {}, shape: [1, 4, 4, 4], dtype: 'int32' } }, { filterSize: 2, strides: 2, pad: 'valid' }),
    ).toBeUndefined();
  });

  it('a dispatch that throws passes the error on and gives the output buffer back (no leak)', () => {
    tf.env().set(DIRECT_MAX_POOL_FLAG, true);
    const x = tf.ones<tf.Rank.R4>([1, 4, 4, 4]);
    dispatches.failNext = true;
    expect(() => tf.maxPool(x, 2, 2, 'valid')).toThrow('injected dispatch failure');
    x.dispose();
  });

  it('uninstall restores the original kernel', async () => {
    uninstallDirectMaxPool();
    dispatches.count = 0;
    await poolBits(seededF32(size(CASES[0]!.shape), 7), CASES[0]!, true);
    expect(dispatches.count).toBe(0);
    installDirectMaxPool(activeAdapterIsSoftware);
  });
});
