// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { gpuBufferOf, isWebGPUBackend, tfjsDevice } from '@webxai/core';
import { InvalidOptionError, ShapeMismatchError } from '@webxai/shaders';
import { hwc, type AttributionInput, type ChannelReduce, type GpuAttribution } from '../shared/inputs.js';

/**
 * An attribution `<xai-heatmap>` draws straight from GPU memory: H x W f32 values in `buffer` on
 * `device`. `owned` is a tensor the element made (a channel reduction) and must dispose once it no
 * longer draws from it.
 */
export interface GpuMap {
  readonly buffer: GPUBuffer;
  readonly width: number;
  readonly height: number;
  readonly device: GPUDevice;
  /** The input it came from (to recognise an unchanged attribution). */
  readonly input: unknown;
  readonly owned?: tf.Tensor;
}

function isGpuAttribution(x: unknown): x is GpuAttribution {
  return typeof GPUBuffer !== 'undefined' && typeof x === 'object' && x !== null && (x as GpuAttribution).buffer instanceof GPUBuffer;
}

/**
 * The GPU-resident form of `input`, or undefined when it lives on the CPU (then `<xai-heatmap>`
 * reads it as before): a {@link GpuAttribution}, or a float32 tf.Tensor (bare or as an `explain()`
 * result's `attribution`) on tfjs's webgpu backend. A tensor with several channels is reduced on
 * the GPU with tfjs (`sum` or `mean-abs`, as the CPU path), into a tensor the caller then owns.
 *
 * @throws {InvalidOptionError} `device` is not the GPUDevice the attribution lives on.
 * @throws {ShapeMismatchError} the shape is not an image's, or a GpuAttribution has several channels.
 */
export function gpuMapOf(input: AttributionInput, reduce: ChannelReduce, device: GPUDevice | undefined): GpuMap | undefined {
  if (isGpuAttribution(input)) {
    const [height, width, channels] = hwc(input.shape, 'attribution');
    if (channels !== 1)
      throw new ShapeMismatchError(`a {buffer, shape} attribution must have one channel, got shape [${input.shape.join(', ')}]`);
    if (!device) throw new InvalidOptionError('a {buffer, shape} attribution needs device: the GPUDevice that owns the buffer');
    return { buffer: input.buffer, width, height, device, input };
  }
  const source = typeof input === 'object' && input !== null && 'attribution' in input ? input.attribution : input;
  if (!(source instanceof tf.Tensor)) return undefined;
  const tensor = source as tf.Tensor; // instanceof narrowed it to Tensor<any>
  if (tensor.isDisposed || tensor.dtype !== 'float32' || !isWebGPUBackend()) return undefined;
  const [height, width, channels] = hwc(tensor.shape, 'attribution');
  const gpuDevice = tfjsDevice();
  if (device && device !== gpuDevice) {
    throw new InvalidOptionError(
      "the attribution tensor lives on tfjs's GPUDevice but <xai-heatmap>.device is another one: leave device unset or pass tfjsDevice()",
    );
  }
  const owned =
    channels === 1
      ? undefined
      : tf.tidy(() => {
          const hwcTensor = tensor.reshape([height, width, channels]);
          return reduce === 'mean-abs' ? hwcTensor.abs().mean(-1) : hwcTensor.sum(-1);
        });
  let buffer: GPUBuffer;
  try {
    buffer = gpuBufferOf(owned ?? tensor);
  } catch (e) {
    owned?.dispose();
    // A tensor of another backend (made before tf.setBackend('webgpu')) lives on the CPU: read it there.
    if (e instanceof ShapeMismatchError && !owned) return undefined;
    throw e;
  }
  return { buffer, width, height, device: gpuDevice, input, ...(owned ? { owned } : {}) };
}
