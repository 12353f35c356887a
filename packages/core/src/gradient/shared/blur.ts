// SPDX-License-Identifier: Apache-2.0
// Gaussian blur of image batches on either path: gaussian-blur-axis twice (height, then width)
// into a tensor's own buffer on the GPU; the kernels' CPU references on the CPU path. A pair
// blurrer does the same for two plans over the same source rows with gaussian-blur-pair.
import * as tf from '@tensorflow/tfjs';
import {
  createBuffer,
  gaussianBlurAxis,
  gaussianBlurAxisRef,
  gaussianBlurPair,
  gaussianBlurPairRef,
  packBlurPairPlan,
  packBlurPlan,
  recordKernels,
  releaseBuffer,
  uploadBuffer,
  type BlurPairPlan,
  type BlurPlan,
} from '@webxai/shaders';
import type { ExecutionPath } from '../../api/types.js';
import { gpuBufferOf, kernelToTensor, kernelToTensors, tfjsDevice } from '../../interop/tfjs-webgpu.js';

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

/** Blurs slices of a fixed pair plan (both plans' images of each slice at once); reuse across batches, then dispose. */
export interface PairBlurrer {
  /** Output images [firstPoint, firstPoint + count) of both plans, blurring rows of `source`; two new tensors. */
  blur(source: tf.Tensor4D, firstPoint: number, count: number): Promise<[tf.Tensor4D, tf.Tensor4D]>;
  dispose(): void;
}

/**
 * Prepares `plan` for `path`. Each output has the bits {@link createBlurrer} gives it for its own
 * plan (gaussian-blur-pair sums the same taps in the same order), in two dispatches instead of four.
 */
export function createPairBlurrer(plan: BlurPairPlan, path: ExecutionPath): PairBlurrer {
  const packed = packBlurPairPlan(plan);
  if (path === 'cpu') {
    return {
      async blur(source, firstPoint, count) {
        const [, height, width, channels] = source.shape;
        const pass = { height, width, channels, pointCount: count, firstPoint };
        const values = await source.data();
        const [a, b] = gaussianBlurPairRef(values, values, packed, { ...pass, axis: 0, sourceFromPlan: true });
        const shape: [number, number, number, number] = [count, height, width, channels];
        const [outA, outB] = gaussianBlurPairRef(a, b, packed, { ...pass, axis: 1, sourceFromPlan: false });
        return [tf.tensor4d(outA, shape), tf.tensor4d(outB, shape)];
      },
      dispose() {},
    };
  }
  const device = tfjsDevice();
  const points = uploadBuffer(device, packed.points, 'blur-pair.plan');
  const weights = uploadBuffer(device, packed.pairWeights, 'blur-pair.weights');
  let middle: [GPUBuffer, GPUBuffer] | undefined;
  return {
    async blur(source, firstPoint, count) {
      const [, height, width, channels] = source.shape;
      const size = count * height * width * channels * 4;
      if (!middle || middle[0].size < size) {
        middle?.forEach((b) => releaseBuffer(device, b));
        middle = [createBuffer(device, size, 'blur-pair.middle'), createBuffer(device, size, 'blur-pair.middle-ahead')];
      }
      const params = { height, width, channels, pointCount: count, firstPoint, stride: packed.stride, aheadOffset: packed.aheadOffset };
      const [between, betweenAhead] = middle;
      const input = gpuBufferOf(source);
      const shape = [count, height, width, channels] as const;
      // Both axes of both plans in one command buffer (one queue.submit per batch of points).
      return kernelToTensors([shape, shape], ([output, outputAhead]) =>
        recordKernels(device, 'blur-pair', (batch) => {
          const common = { params, plan: points, weights };
          batch.dispatch(gaussianBlurPair.height, { ...common, input, inputAhead: input, output: between, outputAhead: betweenAhead });
          batch.dispatch(gaussianBlurPair.width, {
            ...common,
            input: between,
            inputAhead: betweenAhead,
            output: output!,
            outputAhead: outputAhead!,
          });
        }),
      );
    },
    dispose() {
      [points, weights, ...(middle ?? [])].forEach((b) => releaseBuffer(device, b));
      middle = undefined;
    },
  };
}
