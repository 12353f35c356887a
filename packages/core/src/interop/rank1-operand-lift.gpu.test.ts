// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { seededF32, seededInts } from '@webxai/testing';
import {
  installRank1OperandLift,
  LIFT_RANK1_OPERANDS_FLAG,
  LIFTED_KERNELS,
  liftedShape,
  uninstallRank1OperandLift,
} from './rank1-operand-lift.js';
import { activeAdapterIsSoftware, isSoftwareAdapter, type AdapterDescription } from './tfjs-setup.js';
import { checkWebgpuLeaksPerTest, compiledProgramKeys } from '../../test/kernel-wrapper-hooks.js';

interface AddCase {
  readonly name: string;
  readonly a: number[];
  readonly b: number[];
  readonly dtype: 'float32' | 'int32';
}

const CASES: readonly AddCase[] = [
  { name: 'conv bias [n,h,w,c] + [c]', a: [2, 5, 5, 16], b: [16], dtype: 'float32' },
  { name: '[c] + [n,h,w,c]', a: [16], b: [2, 5, 5, 16], dtype: 'float32' },
  { name: 'dense bias [n,c] + [c]', a: [3, 10], b: [10], dtype: 'float32' },
  { name: '[c] + [n,1] (both operands broadcast)', a: [6], b: [4, 1], dtype: 'float32' },
  { name: 'rank-1 + rank-1', a: [7], b: [7], dtype: 'float32' },
  { name: 'scalar + [n,h,w,c]', a: [], b: [2, 3, 3, 4], dtype: 'float32' },
  { name: '[n,h,w,c] + scalar', a: [2, 3, 3, 4], b: [], dtype: 'float32' },
  { name: '[n,c] + [c] with c >= 128 (tfjs takes its plain program anyway)', a: [2, 200], b: [200], dtype: 'float32' },
  { name: 'int32 [n,h,w,c] + [c]', a: [2, 4, 4, 3], b: [3], dtype: 'int32' },
];

const size = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

function operand(shape: number[], dtype: AddCase['dtype'], seed: number): tf.Tensor {
  const n = size(shape);
  return dtype === 'int32' ? tf.tensor(seededInts(n, seed, -1000, 1000), shape, 'int32') : tf.tensor(seededF32(n, seed, -4, 4), shape);
}

/** The sum's shape and its raw 32-bit words (bit-exact comparison, -0 and +0 differ). */
async function addBits(c: AddCase): Promise<{ shape: number[]; bits: Uint32Array }> {
  const [a, b] = [operand(c.a, c.dtype, 1), operand(c.b, c.dtype, 2)];
  const sum = tf.add(a, b);
  const values = await sum.data();
  tf.dispose([a, b, sum]);
  return { shape: sum.shape, bits: new Uint32Array(values.buffer, values.byteOffset, values.length) };
}

/** The tfjs op that runs each lifted kernel (operands in (0.5, 4): every op is defined there; bool for the logical ones). */
const OPS: Readonly<Record<string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor>> = {
  Add: tf.add,
  Atan2: tf.atan2,
  Equal: tf.equal,
  FloorDiv: tf.floorDiv,
  Greater: tf.greater,
  GreaterEqual: tf.greaterEqual,
  Less: tf.less,
  LessEqual: tf.lessEqual,
  LogicalAnd: tf.logicalAnd,
  LogicalOr: tf.logicalOr,
  Maximum: tf.maximum,
  Minimum: tf.minimum,
  Mod: tf.mod,
  Multiply: tf.mul,
  NotEqual: tf.notEqual,
  Pow: tf.pow,
  RealDiv: tf.div,
  SquaredDifference: tf.squaredDifference,
  Sub: tf.sub,
};

/** `kernel` on [2,5,5,16] and [16] (in both orders), as raw 32-bit words of both results. */
async function kernelBits(kernel: string): Promise<Uint32Array[]> {
  const logical = kernel.startsWith('Logical');
  const make = (shape: number[], seed: number) =>
    logical ? tf.tensor(seededInts(size(shape), seed, 0, 2), shape, 'bool') : tf.tensor(seededF32(size(shape), seed, 0.5, 4), shape);
  const [big, small] = [make([2, 5, 5, 16], 7), make([16], 8)];
  const results = [OPS[kernel]!(big, small), OPS[kernel]!(small, big)];
  const values = await Promise.all(results.map((r) => r.data()));
  tf.dispose([big, small, ...results]);
  return values.map((v) => (v instanceof Float32Array ? new Uint32Array(v.buffer, v.byteOffset, v.length) : Uint32Array.from(v)));
}

/** d/d[x, w, bias] of sum(relu(conv2d(x, w) + bias) * r): the bias add is tfjs's Add with a rank-1 operand. */
async function convBiasGradients(): Promise<{ shapes: number[][]; bits: Uint32Array[] }> {
  const x = tf.tensor4d(seededF32(2 * 8 * 8 * 3, 3), [2, 8, 8, 3]);
  const w = tf.tensor4d(seededF32(3 * 3 * 3 * 5, 4), [3, 3, 3, 5]);
  const bias = tf.tensor1d(seededF32(5, 5));
  const r = tf.tensor4d(seededF32(2 * 8 * 8 * 5, 6), [2, 8, 8, 5]);
  const f = (xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) =>
    tf.sum(tf.mul(tf.relu(tf.add(tf.conv2d(xs as tf.Tensor4D, ws as tf.Tensor4D, 1, 'same'), bs)), r));
  const grads = tf.grads(f)([x, w, bias]);
  const values = await Promise.all(grads.map((g) => g.data() as Promise<Float32Array>));
  const shapes = grads.map((g) => g.shape);
  tf.dispose([x, w, bias, r, ...grads]);
  return { shapes, bits: values.map((v) => new Uint32Array(v.buffer, v.byteOffset, v.length)) };
}

describe('rank-1 operand lift of tfjs-webgpu Add (Dawn + lavapipe)', () => {
  checkWebgpuLeaksPerTest(() => {
    installRank1OperandLift(activeAdapterIsSoftware);
    tf.env().set(LIFT_RANK1_OPERANDS_FLAG, activeAdapterIsSoftware());
  });

  it('lifts exactly a rank-1 shape against a rank >= 2 one, to [1,...,1,c]', () => {
    expect(liftedShape([16], [2, 5, 5, 16])).toEqual([1, 1, 1, 16]);
    expect(liftedShape([10], [3, 10])).toEqual([1, 10]);
    expect(liftedShape([7], [7])).toEqual([7]);
    expect(liftedShape([], [2, 3])).toEqual([]);
    expect(liftedShape([2, 5, 5, 16], [16])).toEqual([2, 5, 5, 16]);
    expect(liftedShape([3], [])).toEqual([3]);
  });

  it('is on by default exactly when the active adapter is a software one (lavapipe here, no adapter on cpu)', async () => {
    const info = (tf.backend() as unknown as { adapterInfo: AdapterDescription }).adapterInfo;
    expect(isSoftwareAdapter(info)).toBe(true);
    expect(activeAdapterIsSoftware()).toBe(true);
    // configureTfjs (test setup) registered the flag with activeAdapterIsSoftware as its lazy default.
    await addBits({ name: 'first lifted call', a: [2, 3], b: [3], dtype: 'float32' });
    expect(tf.env().getBool(LIFT_RANK1_OPERANDS_FLAG)).toBe(true);
    await tf.setBackend('cpu');
    expect(activeAdapterIsSoftware()).toBe(false);
  });

  it("avoids tfjs's shared-memory program while on, and leaves tfjs's choice alone when the flag is off", async () => {
    installRank1OperandLift(activeAdapterIsSoftware);
    tf.env().set(LIFT_RANK1_OPERANDS_FLAG, true);
    await addBits({ name: 'on', a: [2, 3, 13], b: [13], dtype: 'float32' });
    // tfjs 4.22 keys a shared-memory Add of c values `binary_0_<c>_…`.
    expect(compiledProgramKeys().filter((k) => k.startsWith('binary_0_13_'))).toEqual([]);
    tf.env().set(LIFT_RANK1_OPERANDS_FLAG, false);
    await addBits({ name: 'off', a: [2, 3, 11], b: [11], dtype: 'float32' });
    expect(compiledProgramKeys().filter((k) => k.startsWith('binary_0_11_'))).toHaveLength(1);
    tf.env().set(LIFT_RANK1_OPERANDS_FLAG, true);
  });

  it.each(CASES)("$name: bit-identical to tfjs's own Add and to the cpu backend", async (c) => {
    installRank1OperandLift(activeAdapterIsSoftware);
    tf.env().set(LIFT_RANK1_OPERANDS_FLAG, true);
    const lifted = await addBits(c);
    uninstallRank1OperandLift();
    const tfjsOwn = await addBits(c);
    await tf.setBackend('cpu');
    const cpu = await addBits(c);
    expect(lifted.shape).toEqual(tfjsOwn.shape);
    expect(lifted.bits).toEqual(tfjsOwn.bits);
    expect(cpu.shape).toEqual(tfjsOwn.shape);
    expect(lifted.bits).toEqual(cpu.bits);
    installRank1OperandLift(activeAdapterIsSoftware);
  });

  it('covers every kernel built on BinaryOpProgram, each with its op here', () => {
    expect([...LIFTED_KERNELS].sort()).toEqual(Object.keys(OPS).sort());
  });

  it.each(LIFTED_KERNELS)("%s with a rank-1 operand: bit-identical to tfjs's own kernel", async (kernel) => {
    installRank1OperandLift(activeAdapterIsSoftware);
    tf.env().set(LIFT_RANK1_OPERANDS_FLAG, true);
    const lifted = await kernelBits(kernel);
    uninstallRank1OperandLift();
    const tfjsOwn = await kernelBits(kernel);
    installRank1OperandLift(activeAdapterIsSoftware);
    expect(lifted).toEqual(tfjsOwn);
  });

  it("leaves the gradients of a conv + bias + relu model bit-identical to tfjs's own Add", async () => {
    installRank1OperandLift(activeAdapterIsSoftware);
    tf.env().set(LIFT_RANK1_OPERANDS_FLAG, true);
    const lifted = await convBiasGradients();
    uninstallRank1OperandLift();
    const tfjsOwn = await convBiasGradients();
    installRank1OperandLift(activeAdapterIsSoftware);
    expect(lifted.shapes).toEqual([[2, 8, 8, 3], [3, 3, 3, 5], [5]]);
    expect(lifted.shapes).toEqual(tfjsOwn.shapes);
    lifted.bits.forEach((bits, i) => expect(bits).toEqual(tfjsOwn.bits[i]));
    expect(lifted.bits[2]!.some((word) => word !== 0)).toBe(true);
  });
});
