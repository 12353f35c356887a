// SPDX-License-Identifier: Apache-2.0
import { assertDeviceAlive, watchDevice } from './device.js';
import { GpuOutOfMemoryError, InvalidOptionError } from './errors.js';

/** Buffers created through {@link createBuffer} and not yet released, per device (leak tests read it). */
const live = new WeakMap<GPUDevice, Set<GPUBuffer>>();

// WebGPU's GPUBufferUsage values, spelled out: the GPUBufferUsage global does not exist in Node
// until Dawn is installed, and this module must be importable before that.
export const BufferUsage = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 } as const;

/** Usage for buffers kernels read and write, that tfjs can wrap, and that can be read back. */
export const STORAGE_USAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;

function liveSet(device: GPUDevice): Set<GPUBuffer> {
  let set = live.get(device);
  if (!set) live.set(device, (set = new Set()));
  return set;
}

/**
 * Creates a GPU buffer that webxai tracks until {@link releaseBuffer}. Sizes are rounded up to a
 * multiple of 4 bytes (and at least 16) as WebGPU requires for copies and storage bindings.
 */
export function createBuffer(device: GPUDevice, byteLength: number, label: string, usage: GPUBufferUsageFlags = STORAGE_USAGE): GPUBuffer {
  assertDeviceAlive(watchDevice(device), `createBuffer(${label})`);
  if (!Number.isFinite(byteLength) || byteLength < 0) {
    throw new InvalidOptionError(`createBuffer(${label}): byteLength must be >= 0, got ${byteLength}`);
  }
  const size = Math.max(16, Math.ceil(byteLength / 4) * 4);
  if (size > device.limits.maxBufferSize) {
    throw new GpuOutOfMemoryError(
      `createBuffer(${label}): ${size} bytes exceeds the device's maxBufferSize (${device.limits.maxBufferSize})`,
    );
  }
  const buffer = device.createBuffer({ label, size, usage });
  liveSet(device).add(buffer);
  return buffer;
}

/** Creates a storage buffer holding `data` (f32, u32 or i32). */
export function uploadBuffer(
  device: GPUDevice,
  data: Float32Array<ArrayBuffer> | Uint32Array<ArrayBuffer> | Int32Array<ArrayBuffer>,
  label: string,
  usage: GPUBufferUsageFlags = STORAGE_USAGE,
): GPUBuffer {
  const buffer = createBuffer(device, data.byteLength, label, usage);
  device.queue.writeBuffer(buffer, 0, data);
  return buffer;
}

/** Destroys a buffer made by {@link createBuffer} and stops tracking it. Safe to call twice. */
export function releaseBuffer(device: GPUDevice, buffer: GPUBuffer | undefined): void {
  if (!buffer) return;
  live.get(device)?.delete(buffer);
  buffer.destroy();
}

/** Number of buffers created by webxai on `device` and not released: tests compare before/after. */
export function liveBufferCount(device: GPUDevice): number {
  return live.get(device)?.size ?? 0;
}

/** Copies `length` 32-bit values out of `source` (from `offset` values) and returns them as f32. */
export async function readFloat32(device: GPUDevice, source: GPUBuffer, length: number, offset = 0): Promise<Float32Array<ArrayBuffer>> {
  return new Float32Array(await readBytes(device, source, length * 4, offset * 4));
}

/** As {@link readFloat32}, for u32 data. */
export async function readUint32(device: GPUDevice, source: GPUBuffer, length: number, offset = 0): Promise<Uint32Array<ArrayBuffer>> {
  return new Uint32Array(await readBytes(device, source, length * 4, offset * 4));
}

async function readBytes(device: GPUDevice, source: GPUBuffer, byteLength: number, byteOffset: number) {
  assertDeviceAlive(watchDevice(device), `read ${source.label}`);
  if (byteLength === 0) return new ArrayBuffer(0);
  const staging = device.createBuffer({
    label: `${source.label}.readback`,
    size: byteLength,
    usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST,
  });
  try {
    const encoder = device.createCommandEncoder({ label: `${source.label}.readback` });
    encoder.copyBufferToBuffer(source, byteOffset, staging, 0, byteLength);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(1 /* GPUMapMode.READ */);
    return staging.getMappedRange().slice(0);
  } catch (cause) {
    assertDeviceAlive(device, `read ${source.label}`);
    throw cause;
  } finally {
    staging.destroy();
  }
}
