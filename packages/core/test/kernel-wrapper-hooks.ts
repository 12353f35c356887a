// SPDX-License-Identifier: Apache-2.0
// Shared by the tests of webxai's wrappers around tfjs-webgpu kernels (src/interop): each test runs
// on the webgpu backend and must leave tf.memory() and tfjs's used pool buffers as it found them.
import { afterAll, afterEach, beforeAll, beforeEach, expect, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { flushTfjs, tfjsDevice, tfjsUsedBufferCount } from '../src/interop/tfjs-webgpu.js';

/**
 * Registers the describe block's hooks: webgpu before each test, tensor and pool-buffer counts
 * compared after it, and `restore` (re-install the wrapper, reset its flag) then the cpu backend after all.
 */
export function checkWebgpuLeaksPerTest(restore: () => void): void {
  let before: { tensors: number; buffers: number };
  beforeAll(async () => {
    expect(await tf.setBackend('webgpu')).toBe(true);
  });
  afterAll(async () => {
    restore();
    await tf.setBackend('cpu');
  });
  beforeEach(async () => {
    await tf.setBackend('webgpu');
    flushTfjs();
    before = { tensors: tf.memory().numTensors, buffers: tfjsUsedBufferCount() };
  });
  afterEach(async () => {
    await tf.setBackend('webgpu');
    // Buffers used by recorded, unsubmitted work (upload staging, uniforms, disposed tensors the
    // pending stream reads) go back to the pool at tfjs's next submit: count after one.
    flushTfjs();
    expect({ tensors: tf.memory().numTensors, buffers: tfjsUsedBufferCount() }).toEqual(before);
  });
}

/** Keys of tfjs-webgpu's compiled programs (tfjs 4.22 internal): a program's shader key, then its shapes. */
export function compiledProgramKeys(): string[] {
  return Object.keys((tf.backend() as unknown as { pipelineCache: Record<string, unknown> }).pipelineCache);
}

/**
 * The shader keys of the tfjs-webgpu programs `run` dispatches (tfjs 4.22 internal
 * `runWebGPUProgram`), in order; unlike {@link compiledProgramKeys} this also sees programs an
 * earlier test compiled already.
 */
export async function dispatchedProgramKeys(run: () => Promise<unknown>): Promise<string[]> {
  type Backend = { runWebGPUProgram(program: { shaderKey: string }, ...rest: unknown[]): unknown };
  const backend = tf.backend() as unknown as Backend;
  const keys: string[] = [];
  const original = backend.runWebGPUProgram.bind(backend);
  const spy = vi.spyOn(backend, 'runWebGPUProgram').mockImplementation((program, ...rest) => {
    keys.push(program.shaderKey);
    return original(program, ...rest);
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return keys;
}

/** Dispatches of a webxai kernel on tfjs's device, and a switch that makes the next one throw. */
export interface KernelDispatchSpy {
  /** Bind groups created so far whose label starts with the kernel name. */
  count: number;
  /** When set, the next such bind group throws 'injected dispatch failure' (and the switch resets). */
  failNext: boolean;
}

/**
 * Spies on tfjs's GPUDevice.createBindGroup (the webgpu backend must be active) and counts the
 * bind groups of the kernels whose label starts with `prefix` — one per dispatch. Undone by
 * vi.restoreAllMocks().
 */
export function spyOnKernelDispatches(prefix: string): KernelDispatchSpy {
  const spy: KernelDispatchSpy = { count: 0, failNext: false };
  const device = tfjsDevice();
  const createBindGroup = device.createBindGroup.bind(device);
  vi.spyOn(device, 'createBindGroup').mockImplementation((descriptor) => {
    if (descriptor.label?.startsWith(prefix)) {
      spy.count++;
      if (spy.failNext) {
        spy.failNext = false;
        throw new Error('injected dispatch failure');
      }
    }
    return createBindGroup(descriptor);
  });
  return spy;
}
