// SPDX-License-Identifier: Apache-2.0
// tfjs on WebGPU when the browser has it, else on the CPU; the page says which one runs.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { configureTfjs } from '@webxai/core';

/** What the page reports about where the work runs. */
export interface BackendInfo {
  /** tfjs's active backend: 'webgpu' or 'cpu'. */
  readonly backend: string;
  /** The WebGPU adapter (vendor / architecture / description), or why there is none. */
  readonly adapter: string;
  /** Why the page fell back to the CPU, when it did. */
  readonly fallbackReason?: string;
}

async function describeAdapter(): Promise<string | undefined> {
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) return undefined;
  const { vendor, architecture, device, description } = adapter.info;
  return [vendor, architecture, device, description].filter(Boolean).join(' / ') || 'unnamed adapter';
}

/**
 * Selects tfjs's webgpu backend, falling back to cpu (webxai then runs its kernels' CPU references).
 * `prefer: 'cpu'` (the page's `?backend=cpu`) skips WebGPU for tfjs, e.g. to compare both paths.
 */
export async function initBackend(prefer: 'webgpu' | 'cpu' = 'webgpu'): Promise<BackendInfo> {
  configureTfjs();
  const adapter = await describeAdapter().catch(() => undefined);
  let fallbackReason: string | undefined;
  if (prefer === 'cpu') fallbackReason = 'asked for with ?backend=cpu';
  else if (!adapter) fallbackReason = 'this browser exposes no WebGPU adapter';
  else {
    try {
      if (await tf.setBackend('webgpu')) return { backend: tf.getBackend(), adapter };
      fallbackReason = 'tfjs could not initialise its webgpu backend';
    } catch (error) {
      fallbackReason = `tfjs webgpu backend failed: ${(error as Error).message}`;
    }
  }
  await tf.setBackend('cpu');
  return { backend: tf.getBackend(), adapter: adapter ?? 'none', fallbackReason };
}
