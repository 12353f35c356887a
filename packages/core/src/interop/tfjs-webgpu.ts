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
  /** Replaced by a new set at every submit of tfjs's (submitQueue): it marks the submit. */
  readonly commandQueueOwnedIds: object;
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
    throw new WebGPUUnavailableError(`tfjs's active backend is '${tf.getBackend()}', not 'webgpu' (await tf.setBackend('webgpu') first)`);
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
 * A mark of tfjs's last submit, when tfjs has nothing recorded since (else undefined): compare it
 * with {@link tfjsSubmittedNothingSince} later.
 */
export function tfjsSubmitMark(): object | undefined {
  const backend = webgpuBackend();
  return backend.commandEncoder ? undefined : backend.commandQueueOwnedIds;
}

/** True when tfjs has neither submitted nor recorded anything since `mark` (from {@link tfjsSubmitMark}). */
export function tfjsSubmittedNothingSince(mark: object | undefined): boolean {
  if (!mark || !isWebGPUBackend()) return false;
  const backend = webgpuBackend();
  return !backend.commandEncoder && backend.commandQueueOwnedIds === mark;
}

/**
 * The GPU wait at the end of a call on the GPU path (explain, evaluate), so its time measures the GPU
 * work and not just its encoding. The work it ran calls {@link markDrained} right after a readback
 * that waited for all its GPU work; {@link settle} then skips the wait (a round trip of its own on
 * Chromium) if tfjs has submitted nothing since.
 */
export class GpuDrain {
  #mark: object | undefined;

  /** For CallContext.markDrained / MetricInputsBase.markDrained. */
  readonly markDrained = (): void => {
    this.#mark = tfjsSubmitMark();
  };

  /** Waits until the GPU queue is empty, unless the last mark still holds. */
  async settle(): Promise<void> {
    if (tfjsSubmittedNothingSince(this.#mark)) return;
    flushTfjs();
    await tfjsDevice().queue.onSubmittedWorkDone();
  }
}

/**
 * Values a result may bring to the host in the readback its call makes anyway ({@link keepHostCopy}):
 * 4096 float32 (16 KB) covers the 28x28 single-image attributions and a 64x64 one. A larger
 * result is left on the GPU: a caller that draws it there never pays for its copy.
 */
export const HOST_COPY_LIMIT = 4096;

/** Whether a float32 result of `size` values on the active backend should ride along in its call's readback. */
export function takesHostCopy(size: number): boolean {
  return isWebGPUBackend() && size <= HOST_COPY_LIMIT;
}

/**
 * Keeps `values` (read back with something else) as `tensor`'s host copy, as tfjs keeps the values
 * its own read brings: `tensor.data()` then returns them without a GPU round trip (1-3 ms on
 * Chromium's SwiftShader), while the GPU buffer stays for GPU consumers. The values must be the
 * tensor's current data, in order; `values` is copied.
 */
export function keepHostCopy(tensor: tf.Tensor, values: Float32Array): void {
  if (tensor.dtype !== 'float32' || values.length !== tensor.size) {
    throw new ShapeMismatchError(`keepHostCopy: ${values.length} values for a ${tensor.dtype} tensor of ${tensor.size}`);
  }
  const data = webgpuBackend().tensorMap.get(tensor.dataId);
  if (!data) throw new ShapeMismatchError('keepHostCopy: the tensor does not belong to the webgpu backend');
  data.values = values.slice();
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

/** The tfjs rank of a shape tuple (`[n, h, w, c]` -> R4); `tf.Rank` when the length is not known. */
export type RankOf<S extends readonly number[]> = S['length'] extends 0 | 1 | 2 | 3 | 4 | 5 | 6
  ? [tf.Rank.R0, tf.Rank.R1, tf.Rank.R2, tf.Rank.R3, tf.Rank.R4, tf.Rank.R5, tf.Rank.R6][S['length']]
  : tf.Rank;

/** A GPU buffer that becomes a tfjs tensor: write it with kernels, then take `tensor`. */
export interface TensorBuffer<R extends tf.Rank = tf.Rank> {
  /** STORAGE | COPY_SRC | COPY_DST, at least 4 * size(shape) bytes, from tfjs's buffer pool. */
  readonly buffer: GPUBuffer;
  /** The tensor over `buffer`; tfjs owns the buffer and recycles it when the tensor is disposed. */
  readonly tensor: tf.Tensor<R>;
}

/**
 * Allocates a tensor-to-be of `shape` from tfjs's buffer pool and registers it with tfjs before any
 * data is written, so no readback and no copy happen. Kernels write `buffer`; the caller owns
 * `tensor` (tfjs rules: dispose it). The contents are undefined until written. The tensor's rank
 * follows the shape tuple (`createTensorBuffer([n, h, w, c]).tensor` is a `tf.Tensor4D`).
 */
export function createTensorBuffer<const S extends readonly number[]>(
  shape: S,
  dtype: 'float32' | 'int32' = 'float32',
): TensorBuffer<RankOf<S>> {
  const backend = webgpuBackend();
  const size = shape.reduce((a, b) => a * b, 1);
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const buffer = backend.bufferManager.acquireBuffer(Math.max(16, size * 4), usage);
  // zeroCopy registers the buffer without copying; clearing `external` then hands ownership to tfjs,
  // which returns it to its pool on dispose (instead of leaving it to us).
  const tensor: tf.Tensor = tf.tensor({ buffer, zeroCopy: true }, [...shape], dtype);
  backend.tensorMap.get(tensor.dataId)!.external = false;
  flushTfjs();
  return { buffer, tensor: tensor as tf.Tensor<RankOf<S>> };
}

/**
 * A tensor of `shape` written by `write` on the GPU: allocates it ({@link createTensorBuffer}), hands
 * its buffer to `write` (typically one `runKernel`), and returns the tensor (caller disposes). If
 * `write` throws or rejects, the tensor is disposed and the error passes on.
 */
export async function kernelToTensor<const S extends readonly number[]>(
  shape: S,
  write: (buffer: GPUBuffer) => Promise<unknown>,
  dtype: 'float32' | 'int32' = 'float32',
): Promise<tf.Tensor<RankOf<S>>> {
  const [tensor] = await kernelToTensors([shape], ([buffer]) => write(buffer!), dtype);
  return tensor;
}

/** One tensor per shape of a tuple of shapes. */
type TensorsOf<Shapes extends readonly (readonly number[])[]> = {
  -readonly [K in keyof Shapes]: Shapes[K] extends readonly number[] ? tf.Tensor<RankOf<Shapes[K]>> : never;
};

/** {@link kernelToTensor} for a kernel with several outputs: one tensor per shape, all disposed on error. */
export async function kernelToTensors<const Shapes extends readonly (readonly number[])[]>(
  shapes: Shapes,
  write: (buffers: GPUBuffer[]) => Promise<unknown>,
  dtype: 'float32' | 'int32' = 'float32',
): Promise<TensorsOf<Shapes>> {
  const outputs: TensorBuffer[] = [];
  try {
    for (const shape of shapes) outputs.push(createTensorBuffer(shape, dtype));
    await write(outputs.map((o) => o.buffer));
  } catch (error) {
    tf.dispose(outputs.map((o) => o.tensor));
    throw error;
  }
  return outputs.map((o) => o.tensor) as TensorsOf<Shapes>;
}

/** GPU buffers tfjs holds for live tensors (its pool's free buffers excluded): for leak checks. */
export function tfjsUsedBufferCount(): number {
  return webgpuBackend().bufferManager.getNumUsedBuffers();
}
