// SPDX-License-Identifier: Apache-2.0
import { test } from 'vitest';

/** True when running under CI, where a missing adapter must fail rather than skip. */
export const isCI = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.CI === 'true';

/**
 * Requests an adapter and device from navigator.gpu (Dawn in Node, installed by the vitest preset; SwiftShader in
 * Chromium). Without an adapter: `undefined` on a laptop, an error under CI=true.
 */
export async function requestTestDevice(): Promise<GPUDevice | undefined> {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  const adapter = await gpu?.requestAdapter();
  if (!adapter) {
    if (isCI) {
      throw new Error(
        'No WebGPU adapter under CI=true. Node: is mesa-vulkan-drivers >= 25 (bookworm-backports) installed ' +
          'and XDG_RUNTIME_DIR set? Chromium: is --enable-unsafe-webgpu passed?',
      );
    }
    return undefined;
  }
  const limits = adapter.limits;
  return adapter.requestDevice({
    label: 'test-device',
    requiredLimits: {
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
    },
  });
}

/** Counts buffers created on a device and not destroyed (wraps createBuffer/destroy). */
export interface BufferTracker {
  /** Buffers created since tracking began and not yet destroyed. */
  readonly live: () => number;
  /** Destroys every tracked buffer still alive. */
  readonly destroyAll: () => void;
}

/** Starts counting the device's buffers: every test checks `live()` to find leaks. */
export function trackBuffers(device: GPUDevice): BufferTracker {
  const alive = new Set<GPUBuffer>();
  const createBuffer = device.createBuffer.bind(device);
  device.createBuffer = (descriptor: GPUBufferDescriptor) => {
    const buffer = createBuffer(descriptor);
    alive.add(buffer);
    const destroy = buffer.destroy.bind(buffer);
    buffer.destroy = () => {
      alive.delete(buffer);
      destroy();
    };
    return buffer;
  };
  return {
    live: () => alive.size,
    destroyAll: () => [...alive].forEach((b) => b.destroy()),
  };
}

/**
 * `test` with a fresh `device` fixture on the real (software) GPU. Every test runs inside a
 * validation and an out-of-memory error scope (any error fails the test); the device is destroyed
 * afterwards. Tests release their own buffers and check for leaks themselves (liveBufferCount,
 * trackBuffers). Without an adapter the test is skipped, except under CI=true, where it fails.
 */
export const gpuTest = test.extend<{ device: GPUDevice }>({
  device: async ({ skip }, use) => {
    const device = await requestTestDevice();
    if (!device) {
      skip('no WebGPU adapter (this would fail under CI=true)');
      return;
    }
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    await use(device);
    const validation = await device.popErrorScope();
    const oom = await device.popErrorScope();
    device.destroy();
    if (validation) throw new Error(`GPU validation error: ${validation.message}`);
    if (oom) throw new Error(`GPU out-of-memory error: ${oom.message}`);
  },
});
