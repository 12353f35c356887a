// SPDX-License-Identifier: Apache-2.0
// A batch of images is one storage binding on the GPU path; a batch beyond the device's
// maxStorageBufferBindingSize fails WebGPU validation (raw driver text), and so does a batch whose
// largest activation inside the model exceeds it. Batches are clamped to what the device can bind,
// with a warning when the caller asked for more.
import * as tf from '@tensorflow/tfjs';
import { largestActivationBytes } from '../model/activation-bytes.js';
import type { ModelAdapter } from '../model/types.js';
import { defaultBatchSize } from '../perturbation/shared/batch-size.js';
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
      `webxai: ${method}: batchSize ${batchSize} exceeds what the device can bind at once (${limit} images of ${bytesPerImage} bytes: the input or the model's largest activation, ` +
        `maxStorageBufferBindingSize ${tf.getBackend() === 'webgpu' ? (tf.backend() as unknown as { device: GPUDevice }).device.limits.maxStorageBufferBindingSize : '?'}); using ${limit}`,
    );
  }
  return limit;
}

/**
 * Images per call of `model`'s forward passes over images of `geometry`: the caller's `batchSize`
 * (reduced with a warning when the device cannot bind it), else the memory-based default
 * ({@link defaultBatchSize}); either way at most what one binding holds of the input or of the
 * model's largest activation, whichever is larger per image (model/activation-bytes.ts).
 */
export async function fitBatchToModel(
  method: string,
  model: ModelAdapter,
  geometry: { readonly height: number; readonly width: number; readonly channels: number },
  batchSize: number | undefined,
): Promise<number> {
  const { height, width, channels } = geometry;
  const activation = await largestActivationBytes(model, [height, width, channels]);
  const bytesPerImage = Math.max(4 * height * width * channels, activation);
  return fitBatchToDevice(method, batchSize ?? defaultBatchSize(height, width, channels), bytesPerImage, batchSize !== undefined);
}
