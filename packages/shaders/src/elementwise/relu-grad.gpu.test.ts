// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest, seededF32, seededInts } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { reluGrad, reluGradInvocations } from './relu-grad.kernel.js';
import { reluGradRef } from './relu-grad.ref.js';

const SENTINELS = 4;

async function reluGradGpu(device: GPUDevice, dy: Float32Array<ArrayBuffer>, x: Float32Array<ArrayBuffer>): Promise<Float32Array> {
  const inputs = [uploadBuffer(device, dy, 'dy'), uploadBuffer(device, x, 'x')] as const;
  const dx = uploadBuffer(device, new Float32Array(dy.length + SENTINELS).fill(7), 'dx');
  await runKernel(device, reluGrad, { params: { count: reluGradInvocations(dy.length) }, dy: inputs[0], x: inputs[1], dx });
  const out = await readFloat32(device, dx, dy.length + SENTINELS);
  [...inputs, dx].forEach((b) => releaseBuffer(device, b));
  return out;
}

const bitsOf = (v: Float32Array) => Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length));

/** Values from a few levels that probe the rule: ±0, ±inf, NaN, tiny and ordinary values. */
function edgy(length: number, seed: number): Float32Array<ArrayBuffer> {
  const levels = [NaN, -Infinity, -2.5, -1e-40, -0, 0, 1e-40, 0.75, 3e38, Infinity];
  return Float32Array.from(seededInts(length, seed, 0, levels.length), (k) => levels[k]!);
}

describe('relu-grad', () => {
  gpuTest.for([
    { count: 4, why: 'one quad' },
    { count: 1000, why: 'ragged last workgroup' },
    { count: 28 * 28 * 16, why: "the MNIST CNN's first feature map" },
  ])('matches reluGradRef bit for bit: $count ($why)', async ({ count }, { device }) => {
    for (const [dy, x] of [
      [seededF32(count, 1, -3, 3), seededF32(count, 2, -1, 1)],
      [edgy(count, 3), edgy(count, 4)],
    ] as const) {
      const got = await reluGradGpu(device, dy, x);
      expect(bitsOf(got.subarray(0, count))).toEqual(bitsOf(reluGradRef(dy, x)));
      expect(Array.from(got.subarray(count))).toEqual([7, 7, 7, 7]);
    }
    expect(liveBufferCount(device)).toBe(0);
  });

  gpuTest('x > 0 passes dy; x <= 0 gives dy * 0 (signed zero, NaN for infinite dy); NaN x gives NaN', async ({ device }) => {
    const dy = Float32Array.from([2, -2, -2, Infinity, 5, 1, Infinity, NaN]);
    const x = Float32Array.from([1, 0, -1, -1, NaN, -0, 3, 3]);
    const got = Array.from(await reluGradGpu(device, dy, x)).slice(0, 8);
    expect(got).toEqual([2, -0, -0, NaN, NaN, 0, Infinity, NaN]);
    expect(Object.is(got[1], -0)).toBe(true);
  });
});
