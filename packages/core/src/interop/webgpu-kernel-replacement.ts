// SPDX-License-Identifier: Apache-2.0
// Why this exists: on software adapters webxai puts wrappers in place of a few tfjs-webgpu kernels
// (rank1-operand-lift, direct-conv-kernels, mean-as-avg-pool; docs/decisions/0009). Each must be
// idempotent, keep tfjs's own kernel for its fallback, and be restorable; this is that one mechanism
// (also for the one wrapper that applies on every backend, unneeded-filter-gradients).
import * as tf from '@tensorflow/tfjs';

/** tfjs's own kernel configs that a wrapper replaced, by `backend/kernel`. */
const originals = new Map<string, tf.KernelConfig>();

/**
 * Registers `wrap(original)` as `backendName`'s `kernelName`, keeping tfjs's own config to restore.
 * Does nothing when that kernel is already replaced, or when the backend (or the kernel) is not
 * registered yet.
 */
export function replaceKernel(backendName: string, kernelName: string, wrap: (original: tf.KernelConfig) => tf.KernelFunc): void {
  const key = `${backendName}/${kernelName}`;
  if (originals.has(key)) return;
  const original = tf.getKernel(kernelName, backendName);
  if (!original) return;
  originals.set(key, original);
  tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({ ...original, kernelFunc: wrap(original) });
}

/** Registers `backendName`'s own `kernelName` again, if a wrapper replaced it. Idempotent. */
export function restoreKernel(backendName: string, kernelName: string): void {
  const key = `${backendName}/${kernelName}`;
  const original = originals.get(key);
  if (!original) return;
  tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel(original);
  originals.delete(key);
}

/** {@link replaceKernel} on tfjs-webgpu. */
export function replaceWebgpuKernel(kernelName: string, wrap: (original: tf.KernelConfig) => tf.KernelFunc): void {
  replaceKernel('webgpu', kernelName, wrap);
}

/** {@link restoreKernel} on tfjs-webgpu. */
export function restoreWebgpuKernel(kernelName: string): void {
  restoreKernel('webgpu', kernelName);
}

/** The kernel functions {@link layerKernel} registered (to tell whether one is still in place). */
const layers = new WeakSet<tf.KernelFunc>();

/**
 * Registers `wrap(current)` as `backendName`'s `kernelName`, over whatever is registered now (tfjs's
 * kernel or another wrapper's): for wrappers that only intercept a few calls and pass every other
 * call on, so that they stack with {@link replaceKernel}'s. Nothing to restore; a call while this
 * layer is still the registered kernel does nothing. A restore of the wrapper below drops the layer
 * (the next call puts it back). Does nothing when the backend (or the kernel) is not registered.
 */
export function layerKernel(backendName: string, kernelName: string, wrap: (current: tf.KernelConfig) => tf.KernelFunc): void {
  const current = tf.getKernel(kernelName, backendName);
  if (!current || layers.has(current.kernelFunc)) return;
  const kernelFunc = wrap(current);
  layers.add(kernelFunc);
  tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({ ...current, kernelFunc });
}
