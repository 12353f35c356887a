// SPDX-License-Identifier: Apache-2.0
// Why this exists: on software adapters webxai puts wrappers in place of a few tfjs-webgpu kernels
// (rank1-operand-lift, direct-conv-kernels, mean-as-avg-pool; docs/decisions/0009). Each must be
// idempotent, keep tfjs's own kernel for its fallback, and be restorable; this is that one mechanism.
import * as tf from '@tensorflow/tfjs';

/** tfjs-webgpu's own kernel configs that a wrapper replaced, by kernel name. */
const originals = new Map<string, tf.KernelConfig>();

/**
 * Registers `wrap(original)` as tfjs-webgpu's `kernelName`, keeping tfjs's own config to restore.
 * Does nothing when that kernel is already replaced, or when tfjs-backend-webgpu (or the kernel)
 * is not registered yet.
 */
export function replaceWebgpuKernel(kernelName: string, wrap: (original: tf.KernelConfig) => tf.KernelFunc): void {
  if (originals.has(kernelName)) return;
  const original = tf.getKernel(kernelName, 'webgpu');
  if (!original) return;
  originals.set(kernelName, original);
  tf.unregisterKernel(kernelName, 'webgpu');
  tf.registerKernel({ ...original, kernelFunc: wrap(original) });
}

/** Registers tfjs-webgpu's own `kernelName` again, if a wrapper replaced it. Idempotent. */
export function restoreWebgpuKernel(kernelName: string): void {
  const original = originals.get(kernelName);
  if (!original) return;
  tf.unregisterKernel(kernelName, 'webgpu');
  tf.registerKernel(original);
  originals.delete(kernelName);
}
