// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { seededF32, seededInts } from '@webxai/testing';
import { globalPoolWindow, installMeanAsAvgPool, MEAN_AS_AVG_POOL_FLAG, uninstallMeanAsAvgPool } from './mean-as-avg-pool.js';
import { activeAdapterIsSoftware } from './tfjs-setup.js';
import { checkWebgpuLeaksPerTest, dispatchedProgramKeys } from '../../test/kernel-wrapper-hooks.js';

interface MeanCase {
  readonly name: string;
  readonly shape: number[];
  readonly axis: number[];
  readonly keepDims: boolean;
  readonly dtype?: 'int32';
}

/** Global average poolings: computed by tfjs's AvgPool while the flag is on. */
const POOLED: readonly MeanCase[] = [
  { name: '[2,7,7,5] over [1,2]', shape: [2, 7, 7, 5], axis: [1, 2], keepDims: false },
  { name: '[2,7,7,5] over [1,2], keepDims', shape: [2, 7, 7, 5], axis: [1, 2], keepDims: true },
  { name: 'batch 1 [1,7,7,64] over [1,2] (the MNIST CNN)', shape: [1, 7, 7, 64], axis: [1, 2], keepDims: false },
  { name: '[1,1,1,3] over [1,2]', shape: [1, 1, 1, 3], axis: [1, 2], keepDims: false },
  { name: '[1,1,1,3] over [1,2], keepDims', shape: [1, 1, 1, 3], axis: [1, 2], keepDims: true },
  { name: '[3,5,4,8] over [2,1]', shape: [3, 5, 4, 8], axis: [2, 1], keepDims: false },
  { name: '[3,5,4,8] over [-3,-2], keepDims', shape: [3, 5, 4, 8], axis: [-3, -2], keepDims: true },
];

/** Every other mean: tfjs's own kernel with the caller's arguments. */
const FALLBACK: readonly MeanCase[] = [
  { name: '[2,7,7,5] over [1]', shape: [2, 7, 7, 5], axis: [1], keepDims: false },
  { name: '[2,7,7,5] over [3], keepDims', shape: [2, 7, 7, 5], axis: [3], keepDims: true },
  { name: '[2,7,7,5] over [1,2,3]', shape: [2, 7, 7, 5], axis: [1, 2, 3], keepDims: false },
  { name: 'rank 3 [4,5,6] over [1,2]', shape: [4, 5, 6], axis: [1, 2], keepDims: false },
  // int32 over [1,2] also falls back (the unit test below), but tfjs-webgpu 4.22's own Mean fails there:
  // its transpose of an int32 tensor into a float32 output is invalid WGSL. An innermost int32 mean works.
  { name: 'int32 [2,3,3,2] over [3]', shape: [2, 3, 3, 2], axis: [3], keepDims: false, dtype: 'int32' },
];

/** float32 mean of values in [-4, 4]: sums of <= 49 terms round to ~1e-6 relative; 1e-6 absolute covers means near 0. */
const TOLERANCE = { abs: 1e-6, rel: 1e-6 };

const size = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

async function meanOf(c: MeanCase): Promise<{ shape: number[]; values: Float32Array }> {
  const n = size(c.shape);
  const x = c.dtype === 'int32' ? tf.tensor(seededInts(n, 7, -100, 100), c.shape, 'int32') : tf.tensor(seededF32(n, 7, -4, 4), c.shape);
  const m = tf.mean(x, c.axis, c.keepDims);
  const values = Float32Array.from(await m.data());
  tf.dispose([x, m]);
  return { shape: m.shape, values };
}

/** d/dx of sum(mean(x, [1,2]) * r) for x [2,7,7,5]: r[n,c] / 49 at every pixel. */
async function meanGradient(): Promise<Float32Array> {
  const x = tf.tensor4d(seededF32(2 * 7 * 7 * 5, 3), [2, 7, 7, 5]);
  const r = tf.tensor2d(seededF32(2 * 5, 4), [2, 5]);
  const dx = tf.grad((xs: tf.Tensor) => tf.sum(tf.mul(tf.mean(xs, [1, 2]), r)))(x);
  const values = (await dx.data()) as Float32Array;
  tf.dispose([x, r, dx]);
  return values;
}

describe("tfjs-webgpu Mean over [1,2] as tfjs's AvgPool (Dawn + lavapipe)", () => {
  checkWebgpuLeaksPerTest(() => {
    installMeanAsAvgPool(activeAdapterIsSoftware);
    tf.env().set(MEAN_AS_AVG_POOL_FLAG, activeAdapterIsSoftware());
  });

  it('takes exactly float32 rank-4 means over axes {1,2}', () => {
    const info = (shape: number[], dtype: tf.DataType = 'float32'): tf.TensorInfo => ({ dataId: {}, shape, dtype });
    expect(globalPoolWindow(info([2, 7, 6, 5]), [1, 2])).toEqual([7, 6]);
    expect(globalPoolWindow(info([2, 7, 6, 5]), [-2, 1])).toEqual([7, 6]);
    expect(globalPoolWindow(info([2, 7, 6, 5]), [1])).toBeUndefined();
    expect(globalPoolWindow(info([2, 7, 6, 5]), [1, 2, 3])).toBeUndefined();
    expect(globalPoolWindow(info([2, 7, 6, 5]), [0, 1])).toBeUndefined();
    expect(globalPoolWindow(info([7, 6, 5]), [1, 2])).toBeUndefined();
    expect(globalPoolWindow(info([2, 7, 6, 5], 'int32'), [1, 2])).toBeUndefined();
  });

  it('is on by default on the software adapter (lavapipe)', async () => {
    await meanOf({ name: 'first call', shape: [1, 2, 2, 1], axis: [1, 2], keepDims: false });
    expect(tf.env().getBool(MEAN_AS_AVG_POOL_FLAG)).toBe(true);
  });

  it("runs tfjs's avg pool program instead of its reduce program while on, and the reduce program when off", async () => {
    installMeanAsAvgPool(activeAdapterIsSoftware);
    tf.env().set(MEAN_AS_AVG_POOL_FLAG, true);
    const on = await dispatchedProgramKeys(() => meanOf({ name: 'on', shape: [2, 9, 9, 3], axis: [1, 2], keepDims: false }));
    expect(on.filter((k) => k.startsWith('pool2D_avg'))).toHaveLength(1);
    expect(on.filter((k) => k.startsWith('reduce_'))).toEqual([]);
    tf.env().set(MEAN_AS_AVG_POOL_FLAG, false);
    const off = await dispatchedProgramKeys(() => meanOf({ name: 'off', shape: [2, 9, 9, 5], axis: [1, 2], keepDims: false }));
    tf.env().set(MEAN_AS_AVG_POOL_FLAG, true);
    expect(off.filter((k) => k.startsWith('reduce_mean'))).toHaveLength(1);
    expect(off.filter((k) => k.startsWith('pool2D_'))).toEqual([]);
  });

  it("batch 1 runs the pool program too (tfjs's AvgPool sends a 'valid' whole-image window to its reduce program)", async () => {
    installMeanAsAvgPool(activeAdapterIsSoftware);
    tf.env().set(MEAN_AS_AVG_POOL_FLAG, true);
    const keys = await dispatchedProgramKeys(() => meanOf({ name: 'batch 1', shape: [1, 6, 5, 7], axis: [1, 2], keepDims: true }));
    expect(keys.filter((k) => k.startsWith('reduce_'))).toEqual([]);
    expect(keys.filter((k) => k.startsWith('pool2D_avg'))).toHaveLength(1);
  });

  it.each(POOLED)('$name: matches the cpu backend and tfjs-webgpu own Mean', async (c) => {
    installMeanAsAvgPool(activeAdapterIsSoftware);
    tf.env().set(MEAN_AS_AVG_POOL_FLAG, true);
    const pooled = await meanOf(c);
    uninstallMeanAsAvgPool();
    const tfjsOwn = await meanOf(c);
    installMeanAsAvgPool(activeAdapterIsSoftware);
    await tf.setBackend('cpu');
    const cpu = await meanOf(c);
    expect(pooled.shape).toEqual(cpu.shape);
    expect(tfjsOwn.shape).toEqual(cpu.shape);
    expect(pooled.values).toBeAllClose(cpu.values, TOLERANCE);
    expect(pooled.values).toBeAllClose(tfjsOwn.values, TOLERANCE);
  });

  it.each(FALLBACK)("$name: tfjs-webgpu's own Mean, bit for bit", async (c) => {
    installMeanAsAvgPool(activeAdapterIsSoftware);
    tf.env().set(MEAN_AS_AVG_POOL_FLAG, true);
    const wrapped = await dispatchedProgramKeys(async () => expect(await meanOf(c)).toEqual(await ownMean(c)));
    expect(wrapped.filter((k) => k.startsWith('pool2D_'))).toEqual([]);
  });

  it("leaves the flag-off path and the gradient exactly tfjs's", async () => {
    installMeanAsAvgPool(activeAdapterIsSoftware);
    tf.env().set(MEAN_AS_AVG_POOL_FLAG, false);
    const off = await meanOf(POOLED[0]!);
    tf.env().set(MEAN_AS_AVG_POOL_FLAG, true);
    expect(off).toEqual(await ownMean(POOLED[0]!));
    const gradient = await meanGradient();
    uninstallMeanAsAvgPool();
    const ownGradient = await meanGradient();
    installMeanAsAvgPool(activeAdapterIsSoftware);
    await tf.setBackend('cpu');
    const cpuGradient = await meanGradient();
    expect(gradient).toEqual(ownGradient);
    expect(gradient).toBeAllClose(cpuGradient, TOLERANCE);
    expect(gradient.some((v) => v !== 0)).toBe(true);
  });
});

/** The mean by tfjs-webgpu's own kernel (the wrapper removed for the call). */
async function ownMean(c: MeanCase): Promise<{ shape: number[]; values: Float32Array }> {
  uninstallMeanAsAvgPool();
  try {
    return await meanOf(c);
  } finally {
    installMeanAsAvgPool(activeAdapterIsSoftware);
  }
}
