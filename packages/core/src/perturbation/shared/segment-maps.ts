// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { invariant, segmentScatterRef } from '@webxai/shaders';
import { createTensorBuffer, type TensorBuffer } from '../../interop/tfjs-webgpu.js';

/**
 * The attribution [n, h, w] of a per-segment method, filled image by image
 * (SegmentWorkspace.scatter). On the GPU, each image's map is scattered straight into the result
 * tensor's buffer: no readback of the map and no upload of it again. On the host, into one array
 * that becomes the tensor at the end. Take the tensor with `take()`; `release()` in a finally
 * disposes it if it was not taken (an error or an abort).
 */
export class SegmentMaps {
  private readonly gpu: TensorBuffer<tf.Rank.R3> | undefined;
  private readonly host: Float32Array<ArrayBuffer> | undefined;
  private taken = false;

  /** `onGpu`: the maps are written by kernels (tfjs's active backend must be webgpu). */
  constructor(
    onGpu: boolean,
    private readonly shape: readonly [n: number, height: number, width: number],
  ) {
    if (onGpu) this.gpu = createTensorBuffer(shape);
    else this.host = new Float32Array(shape[0] * shape[1] * shape[2]);
  }

  /** Pixels of one image's map. */
  get pixels(): number {
    return this.shape[1] * this.shape[2];
  }

  /** Where image `i`'s map goes on the GPU (buffer, first element), or undefined for host maps. */
  gpuTarget(i: number): { buffer: GPUBuffer; offset: number } | undefined {
    return this.gpu && { buffer: this.gpu.buffer, offset: i * this.pixels };
  }

  /** Image `i`'s map from one value per segment of `labels`, on the host (host maps only). */
  writeHost(i: number, labels: ArrayLike<number>, values: ArrayLike<number>): void {
    invariant(this.host, 'SegmentMaps.writeHost on maps that live on the GPU');
    segmentScatterRef(labels, Float32Array.from(values), this.host, i * this.pixels);
  }

  /** The attribution tensor; the caller owns it. */
  take(): tf.Tensor3D {
    this.taken = true;
    return this.gpu ? this.gpu.tensor : tf.tensor3d(this.host!, [...this.shape]);
  }

  /** Disposes the GPU tensor unless it was taken. */
  release(): void {
    if (!this.taken) this.gpu?.tensor.dispose();
    this.taken = true;
  }
}
