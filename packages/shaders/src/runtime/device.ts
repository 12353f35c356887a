// SPDX-License-Identifier: Apache-2.0
import { DeviceLostError, WebGPUUnavailableError } from './errors.js';

/** Why a device was lost, once it has been (`undefined` while it is alive). */
const lostReasons = new WeakMap<GPUDevice, string>();
const watched = new WeakSet<GPUDevice>();

/**
 * Starts watching `device.lost`, so that later kernel dispatches on it fail fast with
 * {@link DeviceLostError} instead of silently producing zeros. Idempotent; every runtime entry
 * point calls it, so users rarely need to.
 */
export function watchDevice(device: GPUDevice): GPUDevice {
  if (watched.has(device)) return device;
  watched.add(device);
  void device.lost.then((info) => {
    lostReasons.set(device, `${info.reason ?? 'unknown'}: ${info.message || 'no message'}`);
  });
  return device;
}

/** True once `device.lost` has resolved for a watched device. */
export function isDeviceLost(device: GPUDevice): boolean {
  return lostReasons.has(device);
}

/** Throws {@link DeviceLostError} if the device is known to be lost. */
export function assertDeviceAlive(device: GPUDevice, what: string): void {
  const reason = lostReasons.get(device);
  if (reason !== undefined) {
    throw new DeviceLostError(`${what}: the GPUDevice was lost (${reason}); call acquireDevice() for a fresh device and retry`, reason);
  }
}

let shared: Promise<GPUDevice> | undefined;

/** Options for {@link acquireDevice}. */
export interface AcquireDeviceOptions {
  readonly powerPreference?: GPUPowerPreference;
  /** Ask for the adapter's maximum buffer sizes (useful for big batches); default true. */
  readonly maxLimits?: boolean;
}

/**
 * A shared GPUDevice for webxai's own kernels, created on first use and replaced transparently
 * after it is lost. When you use tfjs-backend-webgpu, pass tfjs's device instead (see
 * `@webxai/core`'s `tfjsDevice()`), so buffers are shared without copies.
 *
 * @throws {WebGPUUnavailableError} no `navigator.gpu` (in Node: call `installNodeWebGPU()` from
 *   `@webxai/shaders/node` first) or no adapter.
 */
export async function acquireDevice(options: AcquireDeviceOptions = {}): Promise<GPUDevice> {
  if (shared) {
    const device = await shared.catch(() => undefined);
    if (device && !isDeviceLost(device)) return device;
  }
  shared = requestFreshDevice(options);
  return shared;
}

/** Always requests a new device (no sharing). The caller owns it and should `destroy()` it. */
export async function requestFreshDevice(options: AcquireDeviceOptions = {}): Promise<GPUDevice> {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) {
    throw new WebGPUUnavailableError(
      'navigator.gpu is not available (in a browser: WebGPU is disabled or this is not a secure context; ' +
        "in Node: import { installNodeWebGPU } from '@webxai/shaders/node' and call it first)",
    );
  }
  const adapter = await gpu.requestAdapter(options.powerPreference ? { powerPreference: options.powerPreference } : undefined);
  if (!adapter) throw new WebGPUUnavailableError('navigator.gpu.requestAdapter() returned no adapter');
  const limits = adapter.limits;
  const requiredLimits: Record<string, number> =
    options.maxLimits === false
      ? {}
      : {
          maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
          maxBufferSize: limits.maxBufferSize,
          maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
          maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
          maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
        };
  try {
    return watchDevice(await adapter.requestDevice({ label: 'webxai', requiredLimits }));
  } catch (cause) {
    throw new WebGPUUnavailableError(`adapter.requestDevice() failed: ${String(cause)}`, { cause });
  }
}
