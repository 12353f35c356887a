// SPDX-License-Identifier: Apache-2.0
// A batch of images is one storage binding on the GPU path; a batch beyond the device's
// maxStorageBufferBindingSize fails WebGPU validation (raw driver text). Batches are clamped to
// what the device can bind, with a warning when the caller asked for more.
import * as tf from '@tensorflow/tfjs';
import { warnOnce } from './warn.js';

/** Images of `bytesPerImage` bytes one storage binding can hold on tfjs's webgpu device (Infinity elsewhere). */
export function deviceBatchLimit(bytesPerImage: number): number {
  if (tf.getBackend() !== 'webgpu') return Number.POSITIVE_INFINITY;
  const device = (tf.backend() as unknown as { device: GPUDevice }).device;
  return Math.max(1, Math.floor(device.limits.maxStorageBufferBindingSize / bytesPerImage));
}

/**
 * `batchSize`, or fewer: at most what one storage binding holds. Warns once per method when a
 * batch size the caller gave is reduced (it is an upper bound on memory, not a contract).
 */
export function fitBatchToDevice(method: string, batchSize: number, bytesPerImage: number, userGiven: boolean): number {
  const limit = deviceBatchLimit(bytesPerImage);
  if (batchSize <= limit) return batchSize;
  if (userGiven) {
    warnOnce(
      `batch-limit-${method}`,
      `webxai: ${method}: batchSize ${batchSize} exceeds what the device can bind at once (${limit} images of ${bytesPerImage} bytes, ` +
        `maxStorageBufferBindingSize ${tf.getBackend() === 'webgpu' ? (tf.backend() as unknown as { device: GPUDevice }).device.limits.maxStorageBufferBindingSize : '?'}); using ${limit}`,
    );
  }
  return limit;
}
