// SPDX-License-Identifier: Apache-2.0
// What a tfjs kernel function that runs a webxai WGSL kernel needs from tfjs-backend-webgpu 4.22
// (first-max-pool-grad.ts, direct-conv-kernels.ts): internals listed in docs/decisions/0007.
import type * as tf from '@tensorflow/tfjs';

/** The parts of tfjs-backend-webgpu 4.22's WebGPUBackend a kernel function needs. */
export interface WebGPUKernelBackend {
  readonly device: GPUDevice;
  readonly tensorMap: { get(dataId: object): { resource: unknown } | undefined };
  readonly commandEncoder: GPUCommandEncoder | null;
  makeTensorInfo(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: object): boolean;
  uploadToGPU(dataId: object): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

/**
 * The GPUBuffer behind a tensor of the webgpu backend, uploaded first if it still lives on the CPU
 * (a tensor made by makeTensorInfo without values gets an empty buffer from tfjs's pool);
 * undefined when tfjs keeps it in a texture.
 */
export function kernelTensorBuffer(backend: WebGPUKernelBackend, info: tf.TensorInfo): GPUBuffer | undefined {
  backend.uploadToGPU(info.dataId);
  const resource = backend.tensorMap.get(info.dataId)?.resource;
  return resource instanceof GPUBuffer ? resource : undefined;
}

/**
 * Submits the work tfjs has recorded but not submitted yet (it records lazily; the tensors a kernel
 * reads may still be pending), so that a dispatch submitted straight to the queue runs after it.
 */
export function submitRecordedTfjsWork(backend: WebGPUKernelBackend): void {
  if (!backend.commandEncoder) return;
  backend.endComputePassEncoder();
  backend.submitQueue();
}
