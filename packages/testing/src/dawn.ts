// SPDX-License-Identifier: Apache-2.0
// Installs Dawn (npm `webgpu`) as navigator.gpu for Node tests. @webxai/shaders/node exports the
// same for users; it is not imported here because @webxai/shaders' own tests depend on this package.
import { create, globals } from 'webgpu';

let gpu: GPU | undefined;

/** navigator.gpu backed by Dawn; flags from XAI_DAWN_FLAGS (comma-separated Dawn toggles). */
export function installDawn(): GPU {
  if (gpu) return gpu;
  Object.assign(globalThis, globals);
  gpu = create((process.env.XAI_DAWN_FLAGS ?? '').split(',').filter(Boolean));
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  return gpu;
}
