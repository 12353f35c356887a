// SPDX-License-Identifier: Apache-2.0
import { test } from 'vitest';

/** True when running under CI, where a missing adapter must fail rather than skip. */
export const isCI = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.CI === 'true';

/**
 * Requests an adapter and device from navigator.gpu (Dawn in Node via setup-node, SwiftShader in
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
 * validation and an out-of-memory error scope (any error fails the test), and every buffer it
 * created is destroyed afterwards. Without an adapter the test is skipped, except under CI=true,
 * where it fails.
 */
export const gpuTest = test.extend<{ device: GPUDevice; buffers: BufferTracker }>({
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
  buffers: async ({ device }, use) => {
    const tracker = trackBuffers(device);
    await use(tracker);
    tracker.destroyAll();
  },
});

/** Upload f32 data into a new storage buffer (test helper; test code only). */
export function uploadF32(device: GPUDevice, data: Float32Array<ArrayBuffer>, label: string): GPUBuffer {
  const buffer = device.createBuffer({
    label,
    size: Math.max(16, data.byteLength),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  });
  device.queue.writeBuffer(buffer, 0, data);
  return buffer;
}

/** Read `length` f32 values back from a buffer. */
export async function readF32(device: GPUDevice, source: GPUBuffer, length: number): Promise<Float32Array<ArrayBuffer>> {
  const staging = device.createBuffer({ label: `${source.label}.readback`, size: Math.max(4, length * 4), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(source, 0, staging, 0, length * 4);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const result = new Float32Array(staging.getMappedRange().slice(0, length * 4));
  staging.unmap();
  staging.destroy();
  return result;
}

/** Read `length` u32 values back from a buffer. */
export async function readU32(device: GPUDevice, source: GPUBuffer, length: number): Promise<Uint32Array<ArrayBuffer>> {
  const f = await readF32(device, source, length);
  return new Uint32Array(f.buffer);
}
