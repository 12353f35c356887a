// SPDX-License-Identifier: Apache-2.0
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { maxPool3dGeometry, maxPoolGeometry, maxPoolGradRef } from '@webxai/shaders';
import { seededF32, seededInts } from '@webxai/testing';
import { firstMaxPoolGradInstalled, installFirstMaxPoolGrad, uninstallFirstMaxPoolGrad } from './first-max-pool-grad.js';
import { tfjsUsedBufferCount } from './tfjs-webgpu.js';

type Shape = [number, number, number, number];

/** Values from {0, 0.5, 1}: most pooling windows hold ties. */
function tied(shape: Shape, seed: number): tf.Tensor4D {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor4d(
    Float32Array.from(seededInts(size, seed, 0, 3), (k) => k / 2),
    shape,
  );
}

/** d/dx of sum(w * maxPool(x)) on `backend`, read back. */
async function poolGrad(
  backend: 'cpu' | 'webgpu',
  x: tf.Tensor4D,
  filter: [number, number],
  strides: [number, number],
  pad: 'same' | 'valid',
) {
  await tf.setBackend(backend);
  const input = tf.tensor4d(await x.data(), x.shape);
  const g = tf.tidy(() => {
    const y = tf.maxPool(input, filter, strides, pad);
    const w = tf.tensor(seededF32(y.size, 11, -1, 1), y.shape);
    return tf.grad((v: tf.Tensor) =>
      tf
        .maxPool(v as tf.Tensor4D, filter, strides, pad)
        .mul(w)
        .sum(),
    )(input);
  });
  const values = await g.data();
  tf.dispose([input, g]);
  return values;
}

const CASES: { shape: Shape; filter: [number, number]; strides: [number, number]; pad: 'same' | 'valid' }[] = [
  { shape: [2, 8, 8, 3], filter: [2, 2], strides: [2, 2], pad: 'valid' },
  { shape: [1, 7, 9, 2], filter: [2, 2], strides: [2, 2], pad: 'same' },
  { shape: [2, 9, 9, 4], filter: [3, 3], strides: [2, 2], pad: 'same' },
  { shape: [1, 6, 7, 1], filter: [3, 2], strides: [1, 1], pad: 'valid' },
];

type Shape5 = [number, number, number, number, number];
type Triple = [number, number, number];

/** d/dx of sum(w * maxPool3d(x)) on `backend`, read back (w seeded like maxPoolGradRef's dy below). */
async function pool3dGrad(
  backend: 'cpu' | 'webgpu',
  values: Float32Array,
  shape: readonly number[],
  filter: readonly number[],
  strides: readonly number[],
  pad: 'same' | 'valid',
) {
  await tf.setBackend(backend);
  const input = tf.tensor5d(values, shape as Shape5);
  const g = tf.tidy(() => {
    const y = tf.maxPool3d(input, filter as Triple, strides as Triple, pad);
    const w = tf.tensor(seededF32(y.size, 13, -1, 1), y.shape);
    return tf.grad((v: tf.Tensor) =>
      tf
        .maxPool3d(v as tf.Tensor5D, filter as Triple, strides as Triple, pad)
        .mul(w)
        .sum(),
    )(input);
  });
  const out = await g.data();
  tf.dispose([input, g]);
  return out;
}

const CASES_3D: { shape: Shape5; filter: Triple; strides: Triple; pad: 'same' | 'valid'; why: string }[] = [
  {
    shape: [1, 1, 3, 4, 1],
    filter: [1, 3, 2],
    strides: [1, 3, 2],
    pad: 'valid',
    why: 'window height != width: stock tfjs cpu drops this gradient',
  },
  { shape: [2, 4, 6, 6, 2], filter: [2, 2, 2], strides: [2, 2, 2], pad: 'valid', why: 'tied windows, batch 2' },
  { shape: [1, 5, 7, 6, 3], filter: [3, 3, 2], strides: [2, 2, 1], pad: 'same', why: 'overlapping windows, same padding' },
];

describe("webxai's first-max MaxPoolGrad on tfjs-backend-webgpu (Dawn)", () => {
  beforeAll(async () => {
    expect(await tf.setBackend('webgpu')).toBe(true);
    await tf.ready();
  });
  afterAll(async () => {
    installFirstMaxPoolGrad(); // leave the process as webxai would
    await tf.setBackend('cpu');
  });

  it('tfjs 4.22 internals it relies on are still there (fails on a tfjs upgrade that changes them)', async () => {
    await tf.setBackend('webgpu');
    expect(tf.version_core).toBe('4.22.0');
    const backend = tf.backend() as unknown as Record<string, unknown>;
    for (const method of ['makeTensorInfo', 'uploadToGPU', 'endComputePassEncoder', 'submitQueue']) {
      expect(typeof backend[method], method).toBe('function');
    }
    expect(backend.tensorMap).toBeDefined();
    expect(backend.device).toBeInstanceOf(GPUDevice);
    expect('commandEncoder' in backend).toBe(true);
  });

  it("tfjs-webgpu's own kernel sends a tied window's gradient to its LAST element (why we replace it)", async () => {
    uninstallFirstMaxPoolGrad();
    expect(firstMaxPoolGradInstalled()).toBe(false);
    const zeros = tf.zeros<tf.Rank.R4>([1, 2, 2, 1]);
    // If this starts failing, tfjs changed its tie rule: re-check whether the override is still needed.
    expect(Array.from(await poolGrad('webgpu', zeros, [2, 2], [2, 2], 'valid'))).not.toEqual(
      Array.from(await poolGrad('cpu', zeros, [2, 2], [2, 2], 'valid')),
    );
    await tf.setBackend('webgpu');
    installFirstMaxPoolGrad();
    expect(Array.from(await poolGrad('webgpu', zeros, [2, 2], [2, 2], 'valid'))).toEqual([1 * firstWeight(), 0, 0, 0]);
    zeros.dispose();
  });

  it.for(CASES)(
    'matches the cpu backend and maxPoolGradRef on ties: $shape $filter/$strides $pad',
    async ({ shape, filter, strides, pad }) => {
      await tf.setBackend('webgpu');
      installFirstMaxPoolGrad();
      const x = tied(shape, shape[1] * 31 + shape[3]);
      const gpu = await poolGrad('webgpu', x, filter, strides, pad);
      const cpu = await poolGrad('cpu', x, filter, strides, pad);
      expect(gpu).toBeAllClose(cpu, { abs: 1e-6, rel: 1e-6 });
      const g = maxPoolGeometry(shape, filter, strides, pad);
      const w = seededF32(g.batch * g.outHeight * g.outWidth * g.channels, 11, -1, 1);
      expect(gpu).toBeAllClose(maxPoolGradRef(await x.data(), w, g), { abs: 1e-6, rel: 1e-6 });
      x.dispose();
    },
  );

  it.for(CASES_3D)(
    'maxPool3d: webgpu = cpu = maxPoolGradRef (first maximum) on ties: $shape $filter/$strides $pad ($why)',
    async ({ shape, filter, strides, pad }) => {
      installFirstMaxPoolGrad();
      const size = shape.reduce((a, b) => a * b, 1);
      const values = Float32Array.from(seededInts(size, size + 3, 0, 3), (k) => k / 2);
      const gpu = await pool3dGrad('webgpu', values, shape, filter, strides, pad);
      const cpu = await pool3dGrad('cpu', values, shape, filter, strides, pad);
      const g = maxPool3dGeometry(shape, filter, strides, pad);
      const ref = maxPoolGradRef(values, seededF32(g.batch * g.outDepth * g.outHeight * g.outWidth * g.channels, 13, -1, 1), g);
      expect(Array.from(ref).some((v) => v !== 0)).toBe(true);
      expect(gpu).toBeAllClose(ref, { abs: 1e-6, rel: 1e-6 });
      expect(cpu).toBeAllClose(ref, { abs: 1e-6, rel: 1e-6 });
    },
  );

  it('maxPool3d: a tied 2x2x2 window sends its gradient to its first element on both backends (PyTorch rule); uninstalled, tfjs picks the last', async () => {
    const zeros = new Float32Array(8);
    const args = [zeros, [1, 2, 2, 2, 1], [2, 2, 2], [2, 2, 2], 'valid'] as const;
    const w = seededF32(1, 13, -1, 1)[0]!;
    installFirstMaxPoolGrad();
    expect(Array.from(await pool3dGrad('webgpu', ...args))).toEqual([w, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(await pool3dGrad('cpu', ...args))).toEqual([w, 0, 0, 0, 0, 0, 0, 0]);
    // Nothing leaks through the replaced kernels (tensors and tfjs's GPU buffers).
    await tf.setBackend('webgpu');
    const before = { tensors: tf.memory().numTensors, buffers: tfjsUsedBufferCount() };
    for (let i = 0; i < 3; i++) await pool3dGrad('webgpu', ...args);
    await tf.setBackend('webgpu');
    expect({ tensors: tf.memory().numTensors, buffers: tfjsUsedBufferCount() }).toEqual(before);
    uninstallFirstMaxPoolGrad();
    expect(Array.from(await pool3dGrad('webgpu', ...args))).toEqual([0, 0, 0, 0, 0, 0, 0, w]);
    expect(Array.from(await pool3dGrad('cpu', ...args))).toEqual([0, 0, 0, 0, 0, 0, 0, w]);
    installFirstMaxPoolGrad();
  });

  it('install is idempotent and uninstall restores the original kernel object', async () => {
    await tf.setBackend('webgpu');
    uninstallFirstMaxPoolGrad();
    const original = tf.getKernel('MaxPoolGrad', 'webgpu');
    installFirstMaxPoolGrad();
    const ours = tf.getKernel('MaxPoolGrad', 'webgpu');
    installFirstMaxPoolGrad();
    expect(tf.getKernel('MaxPoolGrad', 'webgpu')).toBe(ours);
    expect(ours).not.toBe(original);
    expect(firstMaxPoolGradInstalled()).toBe(true);
    uninstallFirstMaxPoolGrad();
    uninstallFirstMaxPoolGrad();
    expect(tf.getKernel('MaxPoolGrad', 'webgpu')).toBe(original);
    installFirstMaxPoolGrad();
  });

  it('a layers MaxPooling2D model gets the same input gradient on both backends; nothing leaks', async () => {
    // Built and run on cpu first: tfjs moves weights from cpu to webgpu, not back (no sync readback in Node).
    await tf.setBackend('cpu');
    const model = tf.sequential({
      layers: [
        tf.layers.maxPooling2d({ inputShape: [6, 6, 2], poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 3, kernelInitializer: 'ones' }),
      ],
    });
    const x = seededInts(2 * 6 * 6 * 2, 5, 0, 3);
    const grad = async () => {
      const input = tf.tensor4d(
        Float32Array.from(x, (k) => k / 2),
        [2, 6, 6, 2],
      );
      const g = tf.grad((v: tf.Tensor) => (model.predict(v) as tf.Tensor).sum())(input);
      const values = await g.data();
      tf.dispose([g, input]);
      return values;
    };
    const cpu = await grad();
    await tf.setBackend('webgpu');
    installFirstMaxPoolGrad();
    const gpu = await grad();
    expect(gpu).toBeAllClose(cpu, { abs: 1e-6, rel: 1e-6 });
    const before = { tensors: tf.memory().numTensors, buffers: tfjsUsedBufferCount() };
    for (let i = 0; i < 5; i++) await grad();
    expect({ tensors: tf.memory().numTensors, buffers: tfjsUsedBufferCount() }).toEqual(before);
    model.dispose();
  });
});

/** The weight poolGrad puts on the first pooled output (its seeded w), for hand checks. */
function firstWeight(): number {
  return seededF32(1, 11, -1, 1)[0]!;
}
