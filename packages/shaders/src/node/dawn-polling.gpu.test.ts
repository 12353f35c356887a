// SPDX-License-Identifier: Apache-2.0
// Runs on Dawn as the test setup installed it: installNodeWebGPU() with its default 'backoff' polling
// (unless XAI_DAWN_POLLING=spin is set for the run).
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { gpuTest } from '@webxai/testing';
import { dawnPollingStats, installNodeWebGPU, type DawnPolling } from '../node.js';
import { InvalidOptionError } from '../runtime/errors.js';

const pollingInUse: DawnPolling = process.env.XAI_DAWN_POLLING === 'spin' ? 'spin' : 'backoff';
const BYTES = 64 << 20; // a copy this big keeps lavapipe busy for milliseconds: past the spin window

/** Copies `BYTES` of a known pattern on the GPU and reads the copy back; returns a few words of it. */
async function copyAndRead(device: GPUDevice): Promise<number[]> {
  const source = device.createBuffer({ size: BYTES, usage: GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  const target = device.createBuffer({ size: BYTES, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
  const words = new Uint32Array(BYTES / 4).map((_, i) => i * 7);
  device.queue.writeBuffer(source, 0, words);
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(source, 0, target, 0, BYTES);
  device.queue.submit([encoder.finish()]);
  await target.mapAsync(GPUMapMode.READ);
  const copy = new Uint32Array(target.getMappedRange());
  const sample = [copy[0]!, copy[1]!, copy[BYTES / 4 - 1]!];
  target.unmap();
  source.destroy();
  target.destroy();
  return sample;
}

describe('Dawn polling as installed for tests', () => {
  gpuTest('a long GPU wait resolves with the right data, and (backoff) its later polls wait on the timer', async ({ device }) => {
    const before = dawnPollingStats() ?? { polls: 0, deferred: 0 };
    expect(await copyAndRead(device)).toEqual([0, 7, ((BYTES / 4 - 1) * 7) >>> 0]);
    const after = dawnPollingStats();
    if (pollingInUse === 'spin') {
      expect(after).toBeUndefined();
      return;
    }
    expect(after!.polls).toBeGreaterThan(before.polls);
    expect(after!.deferred).toBeGreaterThan(before.deferred);
  });

  it('leaves other setImmediate callers alone: arguments, clearImmediate and util.promisify', async () => {
    const seen = await new Promise<unknown[]>((resolve) => setImmediate((...args: unknown[]) => resolve(args), 'a', 2));
    expect(seen).toEqual(['a', 2]);
    let cancelledRan = false;
    clearImmediate(setImmediate(() => (cancelledRan = true)));
    expect(await promisify(setImmediate)('value')).toBe('value');
    expect(cancelledRan).toBe(false);
  });

  it('refuses an unknown polling mode, and a second install asking for another mode than the first', () => {
    expect(() => installNodeWebGPU(undefined, { polling: 'busy' as DawnPolling })).toThrow(InvalidOptionError);
    const other: DawnPolling = pollingInUse === 'spin' ? 'backoff' : 'spin';
    expect(() => installNodeWebGPU(undefined, { polling: other })).toThrow(/already installed with polling/);
    expect(installNodeWebGPU(undefined, { polling: pollingInUse })).toBe(navigator.gpu);
  });
});
