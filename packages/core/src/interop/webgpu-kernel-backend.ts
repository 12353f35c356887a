// SPDX-License-Identifier: Apache-2.0
// What a tfjs kernel function that runs a webxai WGSL kernel needs from tfjs-backend-webgpu 4.22
// (first-max-pool-grad.ts, direct-conv-kernels.ts, direct-matmul-kernels.ts): internals listed in
// docs/decisions/0007.
import type * as tf from '@tensorflow/tfjs';
import { GpuValidationError } from '@webxai/shaders';

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

/**
 * Validation errors of a wrapper's earlier dispatches: a tfjs kernel function returns its output
 * synchronously and cannot await the dispatch's validation, so an error is kept and thrown by the
 * wrapper's next call.
 */
export class DeferredDispatchErrors {
  #pending: GpuValidationError | undefined;

  /** Keeps the error `dispatched` settles with (named after `kernelName` if it is not a GpuValidationError). */
  watch(kernelName: string, dispatched: Promise<void>): void {
    dispatched.catch((error: unknown) => {
      this.#pending = error instanceof GpuValidationError ? error : new GpuValidationError(kernelName, String(error));
    });
  }

  /** Throws (and forgets) the error of an earlier dispatch, if there is one. */
  throwPending(): void {
    const error = this.#pending;
    this.#pending = undefined;
    if (error) throw error;
  }
}

/**
 * Makes a float32 tfjs tensor of `shape`, submits tfjs's recorded work (the inputs may still be
 * pending in its encoder), then runs `dispatch` with the tensor's GPUBuffer as the target; its
 * validation error goes to `errors`. The tensor is tfjs's (a pool buffer tfjs recycles); if
 * `dispatch` throws, its buffer is given back before the error passes on.
 */
export function dispatchIntoNewTensor(
  backend: WebGPUKernelBackend,
  shape: number[],
  kernelName: string,
  errors: DeferredDispatchErrors,
  dispatch: (target: GPUBuffer) => Promise<void>,
): tf.TensorInfo {
  const out = backend.makeTensorInfo(shape, 'float32');
  try {
    const target = kernelTensorBuffer(backend, out)!; // a fresh tensor without values always gets a pool buffer
    submitRecordedTfjsWork(backend);
    errors.watch(kernelName, dispatch(target));
  } catch (error) {
    backend.disposeData(out.dataId); // the output tensor is not handed to tfjs: give its buffer back
    throw error;
  }
  return out;
}
