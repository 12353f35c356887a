// SPDX-License-Identifier: Apache-2.0
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { affine, fill, liveBufferCount, runKernel, WebGPUUnavailableError } from '@webxai/shaders';
import { createTensorBuffer, gpuBufferOf, tfjsDevice, tfjsUsedBufferCount } from './tfjs-webgpu.js';

describe('zero-copy interop with tfjs-backend-webgpu (Dawn)', () => {
  beforeAll(async () => {
    expect(await tf.setBackend('webgpu')).toBe(true);
    await tf.ready();
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('runs a webxai kernel on a tfjs tensor and hands the output to tfjs without readback', async () => {
    const device = tfjsDevice();
    const run = async () => {
      // The input is the result of a tfjs op, so it lives on the GPU.
      const input = tf.tidy(() => tf.range(1, 9).reshape([2, 4]).mul(1));
      const out = createTensorBuffer(input.shape);
      await runKernel(device, affine, {
        params: { count: input.size, scale: 2, offset: 1 },
        input: gpuBufferOf(input),
        output: out.buffer,
      });
      const scaled = tf.tidy(() => out.tensor.mul(10)); // a later tfjs op consumes our buffer directly
      const values = Array.from(await scaled.data());
      tf.dispose([input, out.tensor, scaled]);
      return values;
    };
    expect(await run()).toEqual([30, 50, 70, 90, 110, 130, 150, 170]);

    // Warm: tfjs's pool now holds what it needs. Nothing may leak across many more runs.
    const before = { tensors: tf.memory().numTensors, tfjsBuffers: tfjsUsedBufferCount(), ours: liveBufferCount(device) };
    for (let i = 0; i < 20; i++) await run();
    expect({ tensors: tf.memory().numTensors, tfjsBuffers: tfjsUsedBufferCount(), ours: liveBufferCount(device) }).toEqual(before);
  });

  it('sees tfjs work recorded but not yet submitted (ordering across the two command streams)', async () => {
    const device = tfjsDevice();
    const a = tf.fill([1000], 2);
    const b = tf.tidy(() => a.add(5).mul(3)); // recorded in tfjs's encoder, maybe not submitted yet
    const out = createTensorBuffer([1000]);
    await runKernel(device, affine, { params: { count: 1000, scale: 1, offset: 0 }, input: gpuBufferOf(b), output: out.buffer });
    const values = await out.tensor.data();
    expect(values.every((v) => v === 21)).toBe(true);
    tf.dispose([a, b, out.tensor]);
  });

  it('uploads a tensor that still lives on the CPU', async () => {
    const device = tfjsDevice();
    const fresh = tf.tensor1d([1, 2, 3, 4]);
    const out = createTensorBuffer([4]);
    await runKernel(device, affine, { params: { count: 4, scale: -1, offset: 0 }, input: gpuBufferOf(fresh), output: out.buffer });
    expect(Array.from(await out.tensor.data())).toEqual([-1, -2, -3, -4]);
    tf.dispose([fresh, out.tensor]);
  });

  it('a tensor made by a kernel survives tfjs ops in the same tidy', async () => {
    const device = tfjsDevice();
    const out = createTensorBuffer([3, 3]);
    await runKernel(device, fill, { params: { count: 9, value: 0.5 }, output: out.buffer });
    const sum = tf.tidy(() => out.tensor.sum());
    expect((await sum.data())[0]).toBe(4.5);
    tf.dispose([out.tensor, sum]);
  });

  it('fails with WebGPUUnavailableError on the cpu backend', async () => {
    await tf.setBackend('cpu');
    expect(() => tfjsDevice()).toThrow(WebGPUUnavailableError);
    expect(() => tfjsDevice()).toThrow(/active backend is 'cpu'/);
    await tf.setBackend('webgpu');
  });
});
