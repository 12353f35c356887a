// SPDX-License-Identifier: Apache-2.0
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { seededF32 } from '@webxai/testing';
import { flushTfjs, tfjsUsedBufferCount } from '../../interop/tfjs-webgpu.js';
import { adamAscend, adamAscendKernel, adamStart, adamStartKernel } from './adam.js';

describe('adamAscendKernel (webgpu)', () => {
  beforeAll(async () => {
    await tf.setBackend('webgpu');
  });

  it('takes the same three steps as the tfjs-op adamAscend (abs 1e-6 + rel 1e-5), disposes the old state and leaks nothing', async () => {
    const [tensors, buffers] = [tf.memory().numTensors, tfjsUsedBufferCount()];
    const shape = [3, 5, 7]; // 105: adam-ascend-quads over 26 quads, adam-ascend over the last one
    let [xOps, xKernel] = [tf.tensor(seededF32(105, 1), shape), tf.tensor(seededF32(105, 1), shape)];
    let [stateOps, stateKernel] = [adamStart(xOps), adamStart(xKernel)];
    for (let step = 0; step < 3; step++) {
      const gradient = tf.tensor(seededF32(105, 10 + step, -2, 2), shape);
      const ops = adamAscend(xOps, gradient, stateOps, 0.05);
      const oldM = stateKernel.m;
      const kernel = await adamAscendKernel(xKernel, gradient, stateKernel, 0.05);
      expect(oldM.isDisposed).toBe(true);
      expect(kernel.state.t).toBe(step + 1);
      expect(kernel.x.shape).toEqual(shape);
      for (const [got, want] of [
        [kernel.x, ops.x],
        [kernel.state.m, ops.state.m],
        [kernel.state.v, ops.state.v],
      ] as const)
        expect(await got.data()).toBeAllClose(await want.data(), { abs: 1e-6, rel: 1e-5 });
      tf.dispose([xOps, xKernel, gradient]);
      [xOps, xKernel, stateOps, stateKernel] = [ops.x, kernel.x, ops.state, kernel.state];
    }
    tf.dispose([xOps, xKernel, stateOps.m, stateOps.v, stateKernel.m, stateKernel.v]);
    flushTfjs();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tfjsUsedBufferCount()).toBe(buffers);
  });

  it('adamStartKernel zeroes m and v like adamStart (+0 bits) even in recycled buffers, and leaks nothing', async () => {
    const [tensors, buffers] = [tf.memory().numTensors, tfjsUsedBufferCount()];
    const shape = [3, 5, 7];
    // Dirty buffers of this size go back to tfjs's pool, where the clears must find them.
    const dirty = [tf.fill(shape, -0), tf.fill(shape, 7)];
    await Promise.all(dirty.map((t) => t.data()));
    tf.dispose(dirty);
    const like = tf.tensor(seededF32(105, 2), shape);
    const [ops, kernel] = [adamStart(like), await adamStartKernel(like)];
    expect(kernel.t).toBe(0);
    for (const [got, want] of [
      [kernel.m, ops.m],
      [kernel.v, ops.v],
    ] as const) {
      expect(got.shape).toEqual(shape);
      expect(new Uint32Array((await got.data()).buffer)).toEqual(new Uint32Array((await want.data()).buffer));
    }
    tf.dispose([like, ops.m, ops.v, kernel.m, kernel.v]);
    flushTfjs();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tfjsUsedBufferCount()).toBe(buffers);
  });
});
