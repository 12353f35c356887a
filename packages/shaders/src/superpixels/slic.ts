// SPDX-License-Identifier: Apache-2.0
import { createBuffer, releaseBuffer } from '../runtime/buffers.js';
import { InvalidOptionError, throwIfAborted } from '../runtime/errors.js';
import { recordKernels } from '../runtime/batch.js';
import { slicAssignSum, slicFeatures, slicSumsLength, slicUpdate } from './slic.kernel.js';
import type { SlicPlan } from './slic-plan.js';

/** Inputs of {@link slicLabels}. */
export interface SlicLabelsOptions {
  readonly plan: SlicPlan;
  /** Either an HWC f32 image (with `channels`, `low`, `scale` mapping it to [0, 1]) ... */
  readonly image?: GPUBuffer;
  readonly channels?: number;
  readonly low?: number;
  readonly scale?: number;
  /** ... or precomputed quantized features [pixels * 3] (u32). */
  readonly features?: GPUBuffer;
  /** Assign/update rounds (skimage's max_num_iter); default 10. */
  readonly iterations?: number;
  readonly signal?: AbortSignal;
}

/**
 * Runs SLIC on the GPU (features, initial grid, `iterations` x (update, assign + sums)) and returns the
 * raw cluster labels [H * W] as a new u32 buffer (caller releases it). Connectivity is not
 * enforced here (a CPU pass over the labels; see @webxai/core's `segment`). CPU path: slicRef.
 */
export async function slicLabels(device: GPUDevice, options: SlicLabelsOptions): Promise<GPUBuffer> {
  const { plan, iterations = 10, signal } = options;
  const pixels = plan.height * plan.width;
  const dims = { height: plan.height, width: plan.width, gridH: plan.gridH, gridW: plan.gridW };
  const owned: GPUBuffer[] = [];
  const labels = createBuffer(device, pixels * 4, 'slic.labels');
  try {
    throwIfAborted(signal, 'slic');
    const image = options.image;
    if (!image && !options.features) {
      throw new InvalidOptionError('slicLabels: pass the image (HWC f32 GPU buffer) or its precomputed features');
    }
    const features = options.features ?? createBuffer(device, pixels * 12, 'slic.features');
    if (!options.features) owned.push(features);
    const centers = createBuffer(device, plan.gridH * plan.gridW * 20, 'slic.centers');
    owned.push(centers);
    const sums = createBuffer(device, slicSumsLength(plan.gridH, plan.width) * 4, 'slic.sums');
    owned.push(sums);
    // Every dispatch in one submit (2 per iteration + 2: 22 at skimage's 10 iterations): each was a
    // submit and a validation round trip of its own, which a browser pays as IPC to the GPU process.
    // Each assign-sum pass labels the pixels and leaves the sums of the next centres, so the last
    // pass's labels are final and no update follows it.
    const assignParams = { ...dims, spatialWeight: plan.spatialWeight, maxSpatial2: plan.maxSpatial2 };
    await recordKernels(device, 'slic', (batch) => {
      if (!options.features) {
        batch.dispatch(slicFeatures, {
          params: { pixels, channels: options.channels ?? 3, low: options.low ?? 0, scale: options.scale ?? 1 },
          image: image!, // checked above: no features means an image
          features,
        });
      }
      batch.dispatch(slicAssignSum.init, { params: assignParams, features, centers, labels, sums });
      for (let i = 0; i < iterations; i++) {
        batch.dispatch(slicUpdate, { params: dims, sums, centers });
        batch.dispatch(slicAssignSum.assign, { params: assignParams, features, centers, labels, sums });
      }
    });
    return labels;
  } catch (error) {
    releaseBuffer(device, labels);
    throw error;
  } finally {
    owned.forEach((b) => releaseBuffer(device, b));
  }
}
