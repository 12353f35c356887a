// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { seededF32 } from '@webxai/testing';
import { addNInputLimit, installAddNChunks, uninstallAddNChunks } from './add-n-chunks.js';
import { tfjsDevice } from './tfjs-webgpu.js';
import { checkWebgpuLeaksPerTest } from '../../test/kernel-wrapper-hooks.js';

/** `count` seeded [3, 5] tensors, their AddN and, recorded before it, a tile of the first (as a model pass would be). */
async function addNWithEarlierWork(count: number): Promise<{ sum: Float32Array; earlier: Float32Array }> {
  const terms = Array.from({ length: count }, (_, i) => tf.tensor2d(seededF32(15, i + 1, -1, 1), [3, 5]));
  const earlier = tf.tile(terms[0]!, [2, 1]);
  const sum = tf.addN(terms);
  const values = { sum: (await sum.data()) as Float32Array, earlier: (await earlier.data()) as Float32Array };
  tf.dispose([...terms, earlier, sum]);
  return values;
}

describe('AddN in chunks the device allows (Dawn + lavapipe)', () => {
  checkWebgpuLeaksPerTest(() => installAddNChunks());

  it('the device keeps the WebGPU default of 8 storage buffers per stage (so AddN takes at most 7 inputs)', () => {
    expect(addNInputLimit(tfjsDevice())).toBe(7);
  });

  it.each([2, 7, 8, 9, 13, 20])('AddN of %i tensors equals the cpu backend, and the work recorded before it runs', async (count) => {
    installAddNChunks();
    const gpu = await addNWithEarlierWork(count);
    await tf.setBackend('cpu');
    const cpu = await addNWithEarlierWork(count);
    expect(gpu.sum).toBeAllClose(cpu.sum, { abs: 1e-6, rel: 1e-6 });
    expect(gpu.earlier).toEqual(cpu.earlier);
  });

  it("without the wrapper, tfjs's own AddN of 9 tensors silently loses the sum (why the wrapper exists)", async () => {
    uninstallAddNChunks();
    const broken = await addNWithEarlierWork(9);
    installAddNChunks();
    await tf.setBackend('cpu');
    const cpu = await addNWithEarlierWork(9);
    expect(Array.from(broken.sum)).not.toEqual(Array.from(cpu.sum));
  });
});
