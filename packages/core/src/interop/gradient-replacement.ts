// SPDX-License-Identifier: Apache-2.0
// Replacing one of tfjs's registered gradients and putting it back: what reduction-gradients.ts
// (Sum, Mean) and fused-relu-gradient.ts (Relu) share. tfjs keeps one gradient per kernel name,
// global for the page or process, so the original is kept here until it is restored.
import * as tf from '@tensorflow/tfjs';

/** tfjs's own gradient of each replaced kernel, kept while the replacement is registered. */
const originals = new Map<string, tf.GradConfig>();

/**
 * Registers `replacement(original)` as the gradient of `kernelName`, where `original` is tfjs's own
 * (which the replacement calls wherever it does not apply). Idempotent; a kernel without a gradient
 * is left alone.
 */
export function replaceGradient(kernelName: string, replacement: (original: tf.GradConfig) => tf.GradConfig): void {
  if (originals.has(kernelName)) return;
  const original = tf.getGradient(kernelName);
  if (!original) return;
  originals.set(kernelName, original);
  tf.registerGradient(replacement(original));
}

/** Puts tfjs's own gradient of `kernelName` back. Idempotent. */
export function restoreGradient(kernelName: string): void {
  const original = originals.get(kernelName);
  if (!original) return;
  tf.registerGradient(original);
  originals.delete(kernelName);
}
