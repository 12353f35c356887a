// SPDX-License-Identifier: Apache-2.0
// Node-only entry: installs Dawn's WebGPU (npm `webgpu`) as globalThis.navigator.gpu, so that
// acquireDevice() and @tensorflow/tfjs-backend-webgpu work in Node (with Mesa lavapipe on a GPU-less box).
import { create, globals } from 'webgpu';
import { InvalidOptionError } from './runtime/errors.js';
import { backOffDawnPolling, DAWN_POLLING_MODES, type DawnPolling } from './node/dawn-polling.js';

export { dawnPollingStats, DEFAULT_SPIN_MS, type DawnPolling, type DawnPollingStats } from './node/dawn-polling.js';

export interface NodeWebGPUOptions {
  /**
   * How Dawn waits for the GPU (see node/dawn-polling.ts). 'backoff' (default; `XAI_DAWN_POLLING`
   * overrides it) stops Dawn's polling from taking a whole core once a wait passes 0.5 ms, which on a
   * software GPU gives that core back to the GPU's threads; 'spin' keeps Dawn's own busy polling.
   */
  readonly polling?: DawnPolling;
}

let installed: { gpu: GPU; polling: DawnPolling } | undefined;

/**
 * Installs `navigator.gpu` (and the GPUBufferUsage/GPUMapMode/... globals) from Dawn. Idempotent.
 * Call it before importing `@tensorflow/tfjs-backend-webgpu`, which registers its backend at
 * import time only if `navigator.gpu` exists.
 *
 * @param flags Dawn toggles, e.g. `['backend=vulkan']`; defaults to `XAI_DAWN_FLAGS` (comma-separated).
 * @throws {InvalidOptionError} `polling` (or `XAI_DAWN_POLLING`) is not 'backoff' or 'spin', or a
 *   later call asks for another polling mode than the first installed.
 */
export function installNodeWebGPU(flags?: string[], options: NodeWebGPUOptions = {}): GPU {
  const polling = pollingMode(options.polling ?? process.env.XAI_DAWN_POLLING ?? 'backoff');
  if (installed) return sameInstall(installed, polling);
  Object.assign(globalThis, globals);
  const dawnFlags = flags ?? (process.env.XAI_DAWN_FLAGS ?? '').split(',').filter(Boolean);
  const gpu = create(dawnFlags);
  if (polling === 'backoff') backOffDawnPolling();
  // Node 21+ has a read-only global `navigator`; Node 20 has none. defineProperty covers both.
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  installed = { gpu, polling };
  return gpu;
}

function sameInstall(first: { gpu: GPU; polling: DawnPolling }, polling: DawnPolling): GPU {
  if (polling === first.polling) return first.gpu;
  throw new InvalidOptionError(
    `Dawn is already installed with polling '${first.polling}'; it cannot switch to '${polling}' in the same process (pass the mode to the first installNodeWebGPU call, or set XAI_DAWN_POLLING)`,
  );
}

function pollingMode(value: string): DawnPolling {
  if ((DAWN_POLLING_MODES as readonly string[]).includes(value)) return value as DawnPolling;
  throw new InvalidOptionError(
    `Dawn polling mode '${value}' is unknown: use 'backoff' or 'spin' (installNodeWebGPU's polling option or XAI_DAWN_POLLING)`,
  );
}
