// SPDX-License-Identifier: Apache-2.0
// Node-only entry: installs Dawn's WebGPU (npm `webgpu`) as globalThis.navigator.gpu, so that
// acquireDevice() and @tensorflow/tfjs-backend-webgpu work in Node (with Mesa lavapipe on a GPU-less box).
import { create, globals } from 'webgpu';

let installed: GPU | undefined;

/**
 * Installs `navigator.gpu` (and the GPUBufferUsage/GPUMapMode/... globals) from Dawn. Idempotent.
 * Call it before importing `@tensorflow/tfjs-backend-webgpu`, which registers its backend at
 * import time only if `navigator.gpu` exists.
 *
 * @param flags Dawn toggles, e.g. `['backend=vulkan']`; defaults to `XAI_DAWN_FLAGS` (comma-separated).
 */
export function installNodeWebGPU(flags?: string[]): GPU {
  if (installed) return installed;
  Object.assign(globalThis, globals);
  const dawnFlags = flags ?? (process.env.XAI_DAWN_FLAGS ?? '').split(',').filter(Boolean);
  const gpu = create(dawnFlags);
  // Node 21+ has a read-only global `navigator`; Node 20 has none. defineProperty covers both.
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  installed = gpu;
  return gpu;
}
