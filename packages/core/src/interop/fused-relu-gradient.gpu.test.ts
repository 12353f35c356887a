// SPDX-License-Identifier: Apache-2.0
import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { seededF32, seededInts } from '@webxai/testing';
import { FUSED_RELU_GRADIENT_FLAG, installFusedReluGradient, uninstallFusedReluGradient } from './fused-relu-gradient.js';
import { activeAdapterIsSoftware, configureTfjs } from './tfjs-setup.js';
import {
  checkWebgpuLeaksPerTest,
  dispatchedProgramKeys,
  spyOnKernelDispatches,
  type KernelDispatchSpy,
} from '../../test/kernel-wrapper-hooks.js';

/** Values that probe the rule: ±0, ±inf, NaN, tiny and ordinary values. */
function edgy(length: number, seed: number): Float32Array<ArrayBuffer> {
  const levels = [NaN, -Infinity, -2.5, -1e-40, -0, 0, 1e-40, 0.75, 3e38, Infinity];
  return Float32Array.from(seededInts(length, seed, 0, levels.length), (k) => levels[k]!);
}

const bitsOf = (v: Float32Array) => Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length));

/** The bits of d/dx sum(w * relu(x)) on webgpu with the fused gradient on or off. */
async function gradientBits(x: Float32Array, w: Float32Array, shape: number[], fused: boolean): Promise<number[]> {
  tf.env().set(FUSED_RELU_GRADIENT_FLAG, fused);
  const [xs, ws] = [tf.tensor(x, shape), tf.tensor(w, shape)];
  const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.relu(v), ws)))(xs);
  const data = (await g.data()) as Float32Array;
  tf.dispose([xs, ws, g]);
  return bitsOf(data);
}

let dispatches: KernelDispatchSpy;

describe("fused ReLU gradient on tfjs-webgpu (Dawn + lavapipe): tfjs's Step + Multiply, bit for bit", () => {
  checkWebgpuLeaksPerTest(() => {
    vi.restoreAllMocks();
    installFusedReluGradient(activeAdapterIsSoftware);
    tf.env().set(FUSED_RELU_GRADIENT_FLAG, activeAdapterIsSoftware());
  });
  beforeAll(() => {
    installFusedReluGradient(activeAdapterIsSoftware);
    dispatches = spyOnKernelDispatches('relu-grad');
  });

  it('configureTfjs turns it on by default on a software adapter (lavapipe here)', () => {
    tf.env().reset(); // forget every value set so far; configureTfjs sets its own again
    configureTfjs();
    expect(tf.env().getBool(FUSED_RELU_GRADIENT_FLAG)).toBe(true);
  });

  it.for([
    { shape: [1, 28, 28, 16], why: "the MNIST CNN's first feature map" },
    { shape: [2, 7, 7, 64], why: 'batch 2' },
    { shape: [4], why: 'one quad' },
  ])('$shape ($why): seeded and edge values (NaN, ±inf, ±0, denormals)', async ({ shape }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    for (const [x, w] of [
      [seededF32(n, 1, -1, 1), seededF32(n, 2, -3, 3)],
      [edgy(n, 3), edgy(n, 4)],
    ] as const) {
      dispatches.count = 0;
      const fused = await gradientBits(x, w, shape, true);
      expect(dispatches.count).toBe(1);
      expect(fused).toEqual(await gradientBits(x, w, shape, false));
      expect(dispatches.count).toBe(1);
    }
  });

  it('one dispatch instead of Step + Multiply', async () => {
    const run = async () => gradientBits(seededF32(64, 5), seededF32(64, 6), [64], true);
    const keys = await dispatchedProgramKeys(run);
    tf.env().set(FUSED_RELU_GRADIENT_FLAG, false);
    const tfjsKeys = await dispatchedProgramKeys(async () => {
      const [x, w] = [tf.tensor(seededF32(64, 5)), tf.tensor(seededF32(64, 6))];
      const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.relu(v), w)))(x);
      await g.data();
      tf.dispose([x, w, g]);
    });
    // tfjs's Step (unary op 37) and its Multiply go; relu-grad is webxai's, not a tfjs program.
    expect([keys.includes('unary_37'), tfjsKeys.includes('unary_37'), tfjsKeys.length - keys.length]).toEqual([false, true, 2]);
  });

  it("sizes that are not a multiple of 4 and the cpu backend keep tfjs's gradient", async () => {
    dispatches.count = 0;
    const x = seededF32(7, 7, -1, 1);
    expect(await gradientBits(x, seededF32(7, 8), [7], true)).toEqual(await gradientBits(x, seededF32(7, 8), [7], false));
    expect(dispatches.count).toBe(0);
    await tf.setBackend('cpu');
    const v = tf.tensor([1, -1, 2, -2]);
    const g = tf.grad((u: tf.Tensor) => tf.sum(tf.relu(u)))(v);
    expect(Array.from(await g.data())).toEqual([1, 0, 1, 0]);
    tf.dispose([v, g]);
    expect(dispatches.count).toBe(0);
  });

  it('a gradient of the gradient (tf.grad inside tf.grad) equals tfjs', async () => {
    const x = tf.tensor(seededF32(8, 9, -1, 1));
    const second = (fused: boolean) => {
      tf.env().set(FUSED_RELU_GRADIENT_FLAG, fused);
      // d/dx sum(x * d/dx sum(relu(x) * x)): the inner gradient is relu-grad(x, x) + relu(x).
      return tf.grad((v: tf.Tensor) => tf.sum(tf.mul(v, tf.grad((u: tf.Tensor) => tf.sum(tf.mul(tf.relu(u), u)))(v))))(x);
    };
    const [a, b] = [second(true), second(false)];
    expect(bitsOf((await a.data()) as Float32Array)).toEqual(bitsOf((await b.data()) as Float32Array));
    tf.dispose([x, a, b]);
  });

  it("uninstall restores tfjs's gradient", async () => {
    uninstallFusedReluGradient();
    dispatches.count = 0;
    await gradientBits(seededF32(16, 10), seededF32(16, 11), [16], true);
    expect(dispatches.count).toBe(0);
    installFusedReluGradient(activeAdapterIsSoftware);
  });
});
