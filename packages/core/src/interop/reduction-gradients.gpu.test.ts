// SPDX-License-Identifier: Apache-2.0
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { seededF32 } from '@webxai/testing';
import { BROADCAST_REDUCTION_GRADIENTS_FLAG, installReductionGradients, uninstallReductionGradients } from './reduction-gradients.js';
import { configureTfjs } from './tfjs-setup.js';
import { checkWebgpuLeaksPerTest } from '../../test/kernel-wrapper-hooks.js';

interface ReductionCase {
  readonly name: string;
  readonly op: 'sum' | 'mean';
  readonly shape: number[];
  readonly axis?: number | number[];
  readonly keepDims?: boolean;
}

const CASES: readonly ReductionCase[] = [
  { name: 'mean of [2,16,16,8] over [1,2] (a channel objective)', op: 'mean', shape: [2, 16, 16, 8], axis: [1, 2] },
  { name: 'mean of [2,16,16,8] over [1,2], keepDims', op: 'mean', shape: [2, 16, 16, 8], axis: [1, 2], keepDims: true },
  { name: 'mean of [3,5,7] over -1', op: 'mean', shape: [3, 5, 7], axis: -1 },
  { name: 'mean of [5,6] over every axis', op: 'mean', shape: [5, 6] },
  { name: 'mean of [9] over 0', op: 'mean', shape: [9], axis: 0 },
  { name: 'sum of [2,16,16,8] over [0,3]', op: 'sum', shape: [2, 16, 16, 8], axis: [0, 3] },
  { name: 'sum of [4,10] over 1, keepDims', op: 'sum', shape: [4, 10], axis: 1, keepDims: true },
  { name: 'sum of [3,5,7] over every axis', op: 'sum', shape: [3, 5, 7] },
  { name: 'sum of [2,3,4] over [-3,-1]', op: 'sum', shape: [2, 3, 4], axis: [-3, -1] },
];

const size = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

/**
 * d/dx of sum(reduce(x) * r) (r seeded, shaped like the reduction) and the sizes of the host arrays
 * the backend took in while the gradient ran (x and r are made before).
 */
async function gradientOf(c: ReductionCase): Promise<{ values: Float32Array; hostWrites: number[] }> {
  const x = tf.tensor(seededF32(size(c.shape), 3, -2, 2), c.shape);
  const reduce = (t: tf.Tensor) => (c.op === 'sum' ? tf.sum(t, c.axis, c.keepDims) : tf.mean(t, c.axis, c.keepDims));
  const outShape = tf.tidy(() => reduce(x).shape);
  const r = tf.tensor(seededF32(Math.max(1, size(outShape)), 4), outShape);
  const write = vi.spyOn(tf.backend(), 'write');
  const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(reduce(t), r)))(x);
  const hostWrites = write.mock.calls.map(([values]) => (values as ArrayLike<number> | undefined)?.length ?? 0);
  write.mockRestore();
  const values = (await dx.data()) as Float32Array;
  tf.dispose([x, r, dx]);
  return { values, hostWrites };
}

describe('Sum and Mean gradients broadcast on the GPU (Dawn + lavapipe)', () => {
  const restore = () => {
    installReductionGradients();
    tf.env().set(BROADCAST_REDUCTION_GRADIENTS_FLAG, true);
  };
  checkWebgpuLeaksPerTest(restore);
  afterEach(restore);

  it('configureTfjs installs them, flag on by default', () => {
    uninstallReductionGradients();
    const tfjsSum = tf.getGradient('Sum');
    tf.env().reset(); // forget every value set so far; configureTfjs sets its own again
    configureTfjs();
    expect(tf.getGradient('Sum')).not.toBe(tfjsSum);
    expect(tf.env().getBool(BROADCAST_REDUCTION_GRADIENTS_FLAG)).toBe(true);
  });

  for (const c of CASES) {
    it(`${c.name}: tfjs's gradient bit for bit, no host-built ones uploaded`, async () => {
      const ours = await gradientOf(c);
      uninstallReductionGradients();
      const tfjs = await gradientOf(c);
      expect(Array.from(ours.values)).toEqual(Array.from(tfjs.values));
      // tfjs's own gradient takes in a host array of x's size (its ones); ours takes in none that big.
      expect(tfjs.hostWrites).toContain(size(c.shape));
      expect(ours.hostWrites.filter((n) => n >= size(c.shape))).toEqual([]);
    });
  }

  it("flag false: tfjs's own gradient (its ones are uploaded)", async () => {
    tf.env().set(BROADCAST_REDUCTION_GRADIENTS_FLAG, false);
    const c = CASES[0]!;
    expect((await gradientOf(c)).hostWrites).toContain(size(c.shape));
  });

  it("rank 5 (tfjs-webgpu tiles it on the CPU): tfjs's own gradient", async () => {
    const c: ReductionCase = { name: 'rank 5', op: 'mean', shape: [2, 3, 2, 2, 3], axis: [1, 2] };
    const ours = await gradientOf(c);
    expect(ours.hostWrites).toContain(size(c.shape));
    uninstallReductionGradients();
    expect(Array.from(ours.values)).toEqual(Array.from((await gradientOf(c)).values));
  });

  it("int32 inputs: tfjs's own gradient (a float32 result, as tfjs gives)", async () => {
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32');
    const dy = tf.tensor1d([1, 2], 'int32');
    // In a tidy, as tfjs's tape calls it: tfjs's Sum gradient makes its intermediates before x().
    const dx = tf.tidy(() => (tf.getGradient('Sum').gradFunc(dy, [x], { axis: [1] }) as { x: () => tf.Tensor }).x());
    expect(dx.dtype).toBe('float32');
    expect(Array.from(await dx.data())).toEqual([1, 1, 1, 2, 2, 2]);
    tf.dispose([x, dy, dx]);
  });

  it("the cpu backend keeps tfjs's own gradient, with the same values", async () => {
    await tf.setBackend('cpu');
    try {
      const c = CASES[0]!;
      const ours = await gradientOf(c);
      expect(ours.hostWrites).toContain(size(c.shape));
      uninstallReductionGradients();
      expect(Array.from(ours.values)).toEqual(Array.from((await gradientOf(c)).values));
    } finally {
      await tf.setBackend('webgpu');
    }
  });
});
