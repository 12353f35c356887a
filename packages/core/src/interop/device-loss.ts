// SPDX-License-Identifier: Apache-2.0
// Device loss (driver reset, destroy(), GPU process crash) surfaces from tfjs as whatever failed
// first, often a bare DOMException "AbortError" with an empty message, easily mistaken for a
// cancellation. webxai turns it into a DeviceLostError that names the reason and re-creates
// tfjs's webgpu backend on a fresh device, so the next call works (with a reloaded model: tensors
// and weights on the lost device are gone). This relies on tfjs-core's backend registry
// (registryFactory) and per-tensor backend bookkeeping (state.tensorInfo), stable in 4.x.
import * as tf from '@tensorflow/tfjs';
import { AbortedError, DeviceLostError, UnsupportedModelError } from '@webxai/shaders';
import { yieldToEventLoop } from '../api/abort.js';

interface EngineInternals {
  registryFactory: Record<string, { factory: () => tf.KernelBackend | Promise<tf.KernelBackend>; priority: number } | undefined>;
  registry: Record<string, tf.KernelBackend>;
  state: { tensorInfo: WeakMap<object, { backend: tf.KernelBackend } | undefined> };
}

const engine = () => tf.engine() as unknown as EngineInternals;

/** tfjs's webgpu device, when webgpu is the active backend. */
function activeDevice(): GPUDevice | undefined {
  if (tf.getBackend() !== 'webgpu') return undefined;
  return (tf.backend() as unknown as { device?: GPUDevice }).device;
}

/** The device's loss info if it has been lost (`device.lost` settles on a later turn, so wait one). */
async function lossInfo(device: GPUDevice): Promise<GPUDeviceLostInfo | undefined> {
  return Promise.race([device.lost, yieldToEventLoop().then(() => undefined)]);
}

/** Re-registers tfjs's webgpu backend from its own factory and activates it: a fresh device. */
async function recreateWebgpuBackend(): Promise<void> {
  const entry = engine().registryFactory['webgpu'];
  if (!entry) return;
  try {
    tf.removeBackend('webgpu'); // disposes the old backend (its buffers are gone with the device)
  } catch {
    // A backend whose device is gone may fail to dispose cleanly; it is unreachable either way.
  }
  tf.registerBackend('webgpu', entry.factory, entry.priority);
  await tf.setBackend('webgpu');
}

function lostError(info: GPUDeviceLostInfo, what: string, cause?: unknown): DeviceLostError {
  const reason = `${info.reason ?? 'unknown'}: ${info.message || 'no message'}`;
  return new DeviceLostError(
    `${what}: the GPUDevice was lost (${reason}). tfjs's webgpu backend now runs on a fresh device; ` +
      'tensors and model weights created before the loss are gone: reload the model, re-create the input and call again',
    reason,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Before a call: if tfjs's webgpu device has been lost, re-creates the backend on a fresh device
 * and throws {@link DeviceLostError} (the caller's tensors and model belong to the lost device).
 */
export async function throwIfTfjsDeviceLost(what: string): Promise<void> {
  const device = activeDevice();
  if (!device) return;
  const info = await lossInfo(device);
  if (!info) return;
  await recreateWebgpuBackend();
  throw lostError(info, what);
}

/**
 * After a failure: the error to throw. When tfjs's device was lost, a {@link DeviceLostError}
 * naming the reason (the backend is re-created on a fresh device first); otherwise `error`.
 */
export async function asDeviceLoss(error: unknown, what: string, device: GPUDevice | undefined): Promise<unknown> {
  if (!device || error instanceof AbortedError) return error;
  const info = await lossInfo(device);
  if (!info) return error;
  if (activeDevice() === device) await recreateWebgpuBackend();
  return lostError(info, what, error);
}

/** The device a call starts on (to tell, after a failure, whether that device was lost). */
export function callDevice(): GPUDevice | undefined {
  return activeDevice();
}

/** Throws when a tfjs LayersModel's weights live on a removed backend (its device was lost): reload the model. */
export function checkModelBackend(model: unknown): void {
  const weights = (model as { weights?: { read?: () => tf.Tensor }[] }).weights;
  const first = Array.isArray(weights) ? weights[0]?.read?.() : undefined;
  if (first && onStaleBackend(first)) {
    throw new UnsupportedModelError(
      `the model's weights live on a tfjs backend that was removed (its GPU device was lost): reload the model`,
    );
  }
}

/**
 * True when `tensor` belongs to a tfjs backend that has been removed (e.g. a lost device's, after
 * re-creation). A tensor on another registered backend is fine: tfjs moves its data on use.
 */
export function onStaleBackend(tensor: tf.Tensor): boolean {
  const info = engine().state.tensorInfo.get(tensor.dataId);
  return info !== undefined && !Object.values(engine().registry).includes(info.backend);
}
