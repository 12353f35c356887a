// SPDX-License-Identifier: Apache-2.0
// Gaussian blur of image batches on either path: gaussian-blur-axis twice (height, then width)
// into a tensor's own buffer on the GPU; the kernels' CPU references on the CPU path.
import * as tf from '@tensorflow/tfjs';
import {
  createBuffer,
  gaussianBlurAxis,
  gaussianBlurAxisRef,
  packBlurPlan,
  recordKernels,
  releaseBuffer,
  uploadBuffer,
  type BlurPlan,
} from '@webxai/shaders';
import type { ExecutionPath } from '../../api/types.js';
import { gpuBufferOf, kernelToTensor, tfjsDevice } from '../../interop/tfjs-webgpu.js';

/** Blurs slices of a fixed blur plan; reuse across batches, then dispose. */
export interface Blurrer {
  /** Output images [firstPoint, firstPoint + count) of the plan, blurring rows of `source`; a new tensor. */
  blur(source: tf.Tensor4D, firstPoint: number, count: number): Promise<tf.Tensor4D>;
  dispose(): void;
}

/** Prepares `plan` (one sigma and source row per output image) for `path`. */
export function createBlurrer(plan: BlurPlan, path: ExecutionPath): Blurrer {
  const packed = packBlurPlan(plan);
  if (path === 'cpu') {
    return {
      async blur(source, firstPoint, count) {
        const [, height, width, channels] = source.shape;
        const pass = { height, width, channels, pointCount: count, firstPoint };
        const first = gaussianBlurAxisRef(await source.data(), packed, { ...pass, axis: 0, sourceFromPlan: true });
        return tf.tensor4d(gaussianBlurAxisRef(first, packed, { ...pass, axis: 1, sourceFromPlan: false }), [
          count,
          height,
          width,
          channels,
        ]);
      },
      dispose() {},
    };
  }
  const device = tfjsDevice();
  const points = uploadBuffer(device, packed.points, 'blur.plan');
  const weights = uploadBuffer(device, packed.weights, 'blur.weights');
  let middle: GPUBuffer | undefined;
  return {
    async blur(source, firstPoint, count) {
      const [, height, width, channels] = source.shape;
      const size = count * height * width * channels * 4;
      if (!middle || middle.size < size) {
        releaseBuffer(device, middle);
        middle = createBuffer(device, size, 'blur.middle');
      }
      const params = { height, width, channels, pointCount: count, firstPoint, stride: packed.stride };
      const between = middle;
      // Both axes in one command buffer (one queue.submit per batch of points).
      return kernelToTensor([count, height, width, channels], (output) =>
        recordKernels(device, 'blur', (batch) => {
          batch.dispatch(gaussianBlurAxis.height, { params, plan: points, weights, input: gpuBufferOf(source), output: between });
          batch.dispatch(gaussianBlurAxis.width, { params, plan: points, weights, input: between, output });
        }),
      );
    },
    dispose() {
      [points, weights, middle].forEach((b) => releaseBuffer(device, b));
      middle = undefined;
    },
  };
}
