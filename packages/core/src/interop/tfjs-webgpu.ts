// SPDX-License-Identifier: Apache-2.0
// Zero-copy interop with @tensorflow/tfjs-backend-webgpu 4.22: webxai kernels run on the GPUBuffer
// behind a tfjs tensor, and write into buffers that become tfjs tensors, on tfjs's own GPUDevice.
// tfjs's public dataToGPU() copies the buffer (GPU to GPU) and createTensorFromGPUData either
// copies or leaves ownership with the caller; the internals used here avoid both. They are pinned by
// the catalog's exact tfjs version and covered by tfjs-webgpu.gpu.test.ts.
import * as tf from '@tensorflow/tfjs';
import { ShapeMismatchError, WebGPUUnavailableError, watchDevice, assertDeviceAlive } from '@webxai/shaders';

/** The parts of tfjs-backend-webgpu's WebGPUBackend this module relies on (4.22). */
interface WebGPUBackendInternals {
  readonly device: GPUDevice;
  readonly tensorMap: { get(dataId: object): { resource: unknown; values: unknown; external?: boolean } | undefined };
  readonly bufferManager: {
    acquireBuffer(size: number, usage: number): GPUBuffer;
    getNumUsedBuffers(): number;
  };
  commandEncoder: GPUCommandEncoder | null;
  uploadToGPU(dataId: object): void;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

/** True when tfjs's active backend is 'webgpu'. */
export function isWebGPUBackend(): boolean {
  return tf.getBackend() === 'webgpu';
}

/**
 * The active tfjs WebGPU backend's internals.
 * @throws {WebGPUUnavailableError} when tfjs's active backend is not 'webgpu'.
 */
function webgpuBackend(): WebGPUBackendInternals {
  if (!isWebGPUBackend()) {
    throw new WebGPUUnavailableError(
      `tfjs's active backend is '${tf.getBackend()}', not 'webgpu' (await tf.setBackend('webgpu') first)`,
    );
  }
  const backend = tf.backend() as unknown as WebGPUBackendInternals;
  watchDevice(backend.device);
  assertDeviceAlive(backend.device, 'tfjs webgpu backend');
  return backend;
}

/** The GPUDevice tfjs-backend-webgpu runs on: create webxai kernels on it to share buffers. */
export function tfjsDevice(): GPUDevice {
  return webgpuBackend().device;
}

/**
 * Submits tfjs's pending command encoder. tfjs records ops lazily; webxai submits straight to the
 * queue, so work tfjs has recorded but not submitted must go first. Call right before a dispatch
 * that reads or writes tfjs buffers ({@link gpuBufferOf} and {@link createTensorBuffer} do).
 */
export function flushTfjs(): void {
  const backend = webgpuBackend();
  if (!backend.commandEncoder) return;
  backend.endComputePassEncoder();
  backend.submitQueue();
}

/**
 * The GPUBuffer holding `tensor`'s data, without copying it. Valid until the tensor is disposed;
 * do not write to it unless the tensor is yours alone. A tensor that still lives on the CPU
 * (fresh from `tf.tensor`) is uploaded once, as tfjs would on first GPU use.
 */
export function gpuBufferOf(tensor: tf.Tensor): GPUBuffer {
  if (tensor.isDisposed) throw new ShapeMismatchError('gpuBufferOf: the tensor has been disposed');
  if (tensor.dtype !== 'float32' && tensor.dtype !== 'int32') {
    throw new ShapeMismatchError(`gpuBufferOf: dtype ${tensor.dtype} is not supported (float32 or int32)`);
  }
  const backend = webgpuBackend();
  const data = backend.tensorMap.get(tensor.dataId);
  if (!data) throw new ShapeMismatchError('gpuBufferOf: the tensor does not belong to the webgpu backend');
  if (data.resource == null) backend.uploadToGPU(tensor.dataId);
  const resource = backend.tensorMap.get(tensor.dataId)!.resource;
  if (!(resource instanceof GPUBuffer)) {
    throw new ShapeMismatchError('gpuBufferOf: the tensor is stored in a texture, not a buffer');
  }
  flushTfjs();
  return resource;
}

/** A GPU buffer that becomes a tfjs tensor: write it with kernels, then take `tensor`. */
export interface TensorBuffer {
  /** STORAGE | COPY_SRC | COPY_DST, at least 4 * size(shape) bytes, from tfjs's buffer pool. */
  readonly buffer: GPUBuffer;
  /** The tensor over `buffer`; tfjs owns the buffer and recycles it when the tensor is disposed. */
  readonly tensor: tf.Tensor;
}

/**
 * Allocates a tensor-to-be of `shape` from tfjs's buffer pool and registers it with tfjs before any
 * data is written, so no readback and no copy happen. Kernels write `buffer`; the caller owns
 * `tensor` (tfjs rules: dispose it). The contents are undefined until written.
 */
export function createTensorBuffer(shape: readonly number[], dtype: 'float32' | 'int32' = 'float32'): TensorBuffer {
  const backend = webgpuBackend();
  const size = shape.reduce((a, b) => a * b, 1);
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const buffer = backend.bufferManager.acquireBuffer(Math.max(16, size * 4), usage);
  // zeroCopy registers the buffer without copying; clearing `external` then hands ownership to tfjs,
  // which returns it to its pool on dispose (instead of leaving it to us).
  const tensor = tf.tensor({ buffer, zeroCopy: true }, [...shape], dtype);
  backend.tensorMap.get(tensor.dataId)!.external = false;
  flushTfjs();
  return { buffer, tensor };
}

/** GPU buffers tfjs holds for live tensors (its pool's free buffers excluded): for leak checks. */
export function tfjsUsedBufferCount(): number {
  return webgpuBackend().bufferManager.getNumUsedBuffers();
}
