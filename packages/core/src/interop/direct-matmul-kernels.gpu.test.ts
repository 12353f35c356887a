// SPDX-License-Identifier: Apache-2.0
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { directMatmul } from '@webxai/shaders';
import { seededF32, seededInts } from '@webxai/testing';
import { DIRECT_MATMUL_FLAG, directMatmulPlan, installDirectMatmul, uninstallDirectMatmul } from './direct-matmul-kernels.js';
import { activeAdapterIsSoftware, configureTfjs } from './tfjs-setup.js';
import {
  checkWebgpuLeaksPerTest,
  dispatchedProgramKeys,
  spyOnKernelDispatches,
  type KernelDispatchSpy,
} from '../../test/kernel-wrapper-hooks.js';

interface MatmulCase {
  readonly name: string;
  readonly a: number[];
  readonly b: number[];
  readonly transposeA?: boolean;
  readonly transposeB?: boolean;
}

const CASES: readonly MatmulCase[] = [
  { name: 'MNIST dense layer [1,64] x [64,10]', a: [1, 64], b: [64, 10] },
  { name: 'its input gradient [1,10] x [64,10]^T', a: [1, 10], b: [64, 10], transposeB: true },
  { name: 'its weight gradient [1,64]^T x [1,10]', a: [1, 64], b: [1, 10], transposeA: true },
  { name: 'batched, both transposed [3,6,5]^T x [3,7,6]^T', a: [3, 6, 5], b: [3, 7, 6], transposeA: true, transposeB: true },
  { name: 'A broadcast [1,5,6] x [3,6,4]', a: [1, 5, 6], b: [3, 6, 4] },
  { name: 'B broadcast, rank 4 x rank 2 [2,3,4,5] x [5,6]', a: [2, 3, 4, 5], b: [5, 6] },
  { name: 'long sums [9,700] x [700,13]', a: [9, 700], b: [700, 13] },
];

/** f32 sums of up to 700 products of values in [-1, 1]. */
const TOLERANCE = directMatmul.tolerance;
const size = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

/** Dispatches of webxai's kernel under test (counted by their bind groups' labels). */
let dispatches: KernelDispatchSpy;

/** Runs `work` on `backend` with seeded operands of the case's shapes, returns its shape and values. */
async function on(
  backend: 'cpu' | 'webgpu',
  c: MatmulCase,
  work: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor | tf.Tensor[],
): Promise<{ shapes: number[][]; values: Float32Array[] }> {
  await tf.setBackend(backend);
  const [a, b] = [tf.tensor(seededF32(size(c.a), 1), c.a), tf.tensor(seededF32(size(c.b), 2), c.b)];
  const outs = [work(a, b)].flat();
  const values = await Promise.all(outs.map((o) => o.data() as Promise<Float32Array>));
  tf.dispose([a, b, ...outs]);
  return { shapes: outs.map((o) => o.shape), values };
}

const matMul = (c: MatmulCase) => (a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b, c.transposeA, c.transposeB);

async function expectSameAsCpu(c: MatmulCase, work: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor | tf.Tensor[], tolerance = TOLERANCE) {
  const gpu = await on('webgpu', c, work);
  const cpu = await on('cpu', c, work);
  expect(gpu.shapes).toEqual(cpu.shapes);
  gpu.values.forEach((v, i) => expect(v).toBeAllClose(cpu.values[i]!, tolerance));
  return gpu;
}

describe('direct matmul for tfjs-webgpu (Dawn + lavapipe)', () => {
  checkWebgpuLeaksPerTest(() => {
    vi.restoreAllMocks();
    installDirectMatmul(activeAdapterIsSoftware);
    tf.env().set(DIRECT_MATMUL_FLAG, activeAdapterIsSoftware());
  });
  beforeAll(() => {
    dispatches = spyOnKernelDispatches('direct-matmul');
  });
  beforeEach(() => {
    installDirectMatmul(activeAdapterIsSoftware);
    tf.env().set(DIRECT_MATMUL_FLAG, true);
    dispatches.count = 0;
  });
  afterAll(() => {
    tf.env().set(DIRECT_MATMUL_FLAG, activeAdapterIsSoftware());
  });

  it('configureTfjs turns it on by default on a software adapter (lavapipe here)', async () => {
    tf.env().reset(); // forget every value set so far; configureTfjs sets its own again
    configureTfjs();
    await tf.setBackend('webgpu');
    expect(tf.env().getBool(DIRECT_MATMUL_FLAG)).toBe(true);
    await on('webgpu', CASES[0]!, matMul(CASES[0]!));
    expect(dispatches.count).toBe(1);
  });

  it.for(CASES)('matMul $name: direct kernel = tfjs cpu, no tfjs matmul program', async (c) => {
    const keys = await dispatchedProgramKeys(() => expectSameAsCpu(c, matMul(c)));
    expect(dispatches.count).toBe(1);
    expect(keys.filter((k) => k.toLowerCase().includes('matmul'))).toEqual([]);
  });

  it.for(['linear', 'relu', 'relu6', 'sigmoid', 'elu', 'leakyrelu'] as const)('fused bias + %s = tfjs cpu', async (activation) => {
    const c: MatmulCase = { name: 'fused', a: [2, 4, 6], b: [6, 5], transposeB: false };
    const fused = (a: tf.Tensor, b: tf.Tensor) =>
      tf.tidy(() =>
        tf.fused.matMul({
          a: tf.mul<tf.Tensor3D>(a, 4),
          b: b,
          bias: tf.linspace(-3, 3, 5),
          activation,
          leakyreluAlpha: 0.3,
        }),
      );
    const gpu = await expectSameAsCpu(c, fused);
    expect(dispatches.count).toBe(1);
    if (activation === 'relu' || activation === 'relu6') expect(gpu.values[0]!.some((v) => v === 0)).toBe(true);
    if (activation === 'relu6') expect(gpu.values[0]!.some((v) => v === 6)).toBe(true);
    if (activation === 'leakyrelu') expect(gpu.values[0]!.some((v) => v < 0)).toBe(true);
  });

  it('a dense layer under tf.grad: input, weight and bias gradients = tfjs cpu', async () => {
    const c: MatmulCase = { name: 'dense', a: [3, 64], b: [64, 10] };
    const r = seededF32(30, 3);
    const gradients = (x: tf.Tensor, w: tf.Tensor) =>
      tf.tidy(() => {
        const bias = tf.linspace(-1, 1, 10);
        const loss = (xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) =>
          tf.sum(tf.mul(tf.fused.matMul({ a: xs, b: ws, bias: bs, activation: 'relu' }), tf.tensor2d(r, [3, 10])));
        return tf.grads(loss)([x, w, bias]);
      });
    await expectSameAsCpu(c, gradients);
    // Forward _FusedMatMul, then the input and weight gradients (BatchMatMul with transposes).
    expect(dispatches.count).toBe(3);
  });

  it("flag off: tfjs's own kernels, same values", async () => {
    const c = CASES[3]!;
    const direct = await on('webgpu', c, matMul(c));
    tf.env().set(DIRECT_MATMUL_FLAG, false);
    const tfjsOwn = await on('webgpu', c, matMul(c));
    expect(dispatches.count).toBe(1);
    expect(direct.values[0]).toBeAllClose(tfjsOwn.values[0]!, TOLERANCE);
  });

  it("calls tfjs's kernel for what the direct kernel does not cover, with tfjs's values", async () => {
    const prelu = (a: tf.Tensor, b: tf.Tensor) =>
      tf.tidy(() => tf.fused.matMul({ a: a, b: b, activation: 'prelu', preluActivationWeights: tf.fill([5], 0.1) }));
    const fullBias = (a: tf.Tensor, b: tf.Tensor) =>
      tf.tidy(() => tf.fused.matMul({ a: a, b: b, bias: tf.linspace(0, 1, 20).reshape([4, 5]) }));
    const c: MatmulCase = { name: 'fallback', a: [4, 6], b: [6, 5] };
    for (const work of [prelu, fullBias]) {
      const wrapped = await on('webgpu', c, work);
      uninstallDirectMatmul();
      const own = await on('webgpu', c, work);
      installDirectMatmul(activeAdapterIsSoftware);
      expect(wrapped).toEqual(own);
    }
    const ints = async () => {
      const [a, b] = [tf.tensor(seededInts(12, 1, -9, 9), [3, 4], 'int32'), tf.tensor(seededInts(8, 2, -9, 9), [4, 2], 'int32')];
      const product = tf.matMul(a, b);
      const values = await product.data();
      tf.dispose([a, b, product]);
      return values;
    };
    await tf.setBackend('webgpu');
    const wrappedInts = await ints();
    await tf.setBackend('cpu');
    expect(wrappedInts).toEqual(await ints());
    expect(dispatches.count).toBe(0);
  });

  it('a dispatch that throws passes the error on and gives the output buffer back (no leak)', () => {
    const [a, b] = [tf.ones([2, 3]), tf.ones([3, 4])];
    dispatches.failNext = true;
    expect(() => tf.matMul(a, b)).toThrow('injected dispatch failure');
    expect(dispatches.count).toBe(1);
    tf.dispose([a, b]); // the hooks: tensors and pool buffers back to where they were
  });

  it('uninstall restores the original kernels', async () => {
    uninstallDirectMatmul();
    await on('webgpu', CASES[0]!, matMul(CASES[0]!));
    expect(dispatches.count).toBe(0);
  });
});

describe('directMatmulPlan: what the direct kernel covers', () => {
  const info = (shape: number[], dtype: tf.DataType = 'float32'): tf.TensorInfo => ({ dataId: {}, shape, dtype });

  it('reads rows, columns, inner size, transposes, batch broadcast, bias and activation from the call', () => {
    const plan = directMatmulPlan(
      { a: info([3, 10, 4]), b: info([1, 5, 10]), bias: info([1, 5]) },
      {
        transposeA: true,
        transposeB: true,
        activation: 'leakyrelu',
        leakyreluAlpha: 0.1,
      },
    );
    expect(plan?.outShape).toEqual([3, 4, 5]);
    expect(plan?.params).toEqual({ count: 3 * 1 * 2, rows: 4, cols: 5, inner: 10, aBatches: 3, bBatches: 1, alpha: 0.1 });
    expect(plan?.modes).toEqual({ activation: 'leakyrelu', hasBias: true, transposeA: true, transposeB: true });
    expect(directMatmulPlan({ a: info([2, 3, 4, 5]), b: info([5, 6]) }, {})?.outShape).toEqual([2, 3, 4, 6]);
    expect(directMatmulPlan({ a: info([4, 5]), b: info([5, 6]) }, { activation: null })?.modes).toEqual({
      activation: 'linear',
      hasBias: false,
      transposeA: false,
      transposeB: false,
    });
  });

  it.for([
    ['int32 operands', { a: info([2, 3], 'int32'), b: info([3, 4], 'int32') }, {}],
    ['prelu weights', { a: info([2, 3]), b: info([3, 4]), preluActivationWeights: info([4]) }, { activation: 'prelu' }],
    ['a bias per output value', { a: info([2, 3]), b: info([3, 4]), bias: info([2, 4]) }, {}],
    ['a scalar bias', { a: info([2, 3]), b: info([3, 4]), bias: info([1]) }, {}],
    ['batch shapes both > 1 and different', { a: info([2, 1, 3, 4]), b: info([1, 3, 4, 5]) }, {}],
    ['mismatched inner sizes', { a: info([2, 3]), b: info([4, 5]) }, {}],
    ['an empty product', { a: info([0, 3]), b: info([3, 4]) }, {}],
  ] as const)('leaves %s to tfjs', ([, inputs, attrs]) => {
    expect(directMatmulPlan(inputs as tf.NamedTensorInfoMap, attrs)).toBeUndefined();
  });
});
