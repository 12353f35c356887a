// SPDX-License-Identifier: Apache-2.0
// What a tfjs kernel function that runs a webxai WGSL kernel needs from tfjs-backend-webgpu 4.22
// (first-max-pool-grad.ts, direct-conv-kernels.ts, direct-matmul-kernels.ts): internals listed in
// docs/decisions/0007; and what its cpu twin, running the kernel's CPU reference, needs from tfjs's
// cpu backend (public methods).
import * as tf from '@tensorflow/tfjs';
import { GpuValidationError, type DispatchSink } from '@webxai/shaders';

/** The parts of tfjs's cpu backend a kernel function needs (public KernelBackend methods). */
export interface CpuKernelBackend {
  readSync(dataId: object): ArrayLike<number>;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

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
  // Recording into tfjs's own stream (tfjsStreamSink), as its runWebGPUProgram does:
  computePassEncoder: GPUComputePassEncoder | null;
  dispatchCountInPass: number;
  /** Tensors read or written by recorded, unsubmitted work: their buffers go back to the pool only after the submit. */
  readonly commandQueueOwnedIds: WeakSet<object>;
  /** Uniform buffers released to the pool by the next submitQueue. */
  readonly uniformPendingDisposal: GPUBuffer[];
  readonly bufferManager: { acquireBuffer(size: number, usage: GPUBufferUsageFlags): GPUBuffer };
  /** Non-null while tf.profile / tf.time measures programs (tfjs then gives each its own timed pass). */
  readonly activeTimers: unknown[] | null | undefined;
  ensureCommandEncoderReady(): void;
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

/** GPUBufferUsage.UNIFORM | COPY_DST as numbers (the GPUBufferUsage global is not defined everywhere tests run). */
const UNIFORM_USAGE = 0x40 | 0x8;

/**
 * A {@link DispatchSink} over tfjs's own command stream: a dispatch is recorded into tfjs's open
 * compute pass, exactly where tfjs's next program would go, so it costs no submit of its own and
 * runs in order with the tfjs work around it. `tensors` (the dispatch's inputs and output) are
 * marked as used by the pending stream, so tfjs recycles their buffers only after it submits; each
 * uniform comes from tfjs's pool and goes back at that submit. The recorded dispatch counts toward
 * tfjs's submit batch (WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE) like one of its own programs.
 */
export function tfjsStreamSink(backend: WebGPUKernelBackend, tensors: readonly tf.TensorInfo[]): DispatchSink {
  return {
    computePass() {
      backend.ensureCommandEncoderReady();
      backend.computePassEncoder ??= backend.commandEncoder!.beginComputePass();
      return backend.computePassEncoder;
    },
    uniformBinding(data) {
      const buffer = backend.bufferManager.acquireBuffer(data.byteLength, UNIFORM_USAGE);
      backend.device.queue.writeBuffer(buffer, 0, data);
      backend.uniformPendingDisposal.push(buffer);
      return { buffer, offset: 0, size: data.byteLength };
    },
    recorded() {
      tensors.forEach((t) => backend.commandQueueOwnedIds.add(t.dataId));
      backend.dispatchCountInPass++;
      // As tfjs does after each program: a timed pass holds one program; a full batch is submitted.
      const batchSize = Number(tf.env().get('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE'));
      if (backend.activeTimers != null || backend.dispatchCountInPass >= batchSize) backend.endComputePassEncoder();
      if (backend.activeTimers == null && backend.dispatchCountInPass >= batchSize) backend.submitQueue();
    },
  };
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
 * Makes a float32 tfjs tensor of `shape` and runs `dispatch` with the tensor's GPUBuffer as the
 * target and a sink over tfjs's stream (see {@link tfjsStreamSink}; `reads` are the tensors the
 * dispatch reads); its validation error goes to `errors`. The tensor is tfjs's (a pool buffer tfjs
 * recycles); if `dispatch` throws, its buffer is given back before the error passes on.
 */
export function dispatchIntoNewTensor(
  backend: WebGPUKernelBackend,
  target: { readonly shape: number[]; readonly kernelName: string; readonly reads: readonly tf.TensorInfo[] },
  errors: DeferredDispatchErrors,
  dispatch: (target: GPUBuffer, sink: DispatchSink) => Promise<void>,
): tf.TensorInfo {
  const targets = { shapes: [target.shape], kernelName: target.kernelName, reads: target.reads };
  return dispatchIntoNewTensors(backend, targets, errors, ([buffer], sink) => dispatch(buffer!, sink))[0]!;
}

/** {@link dispatchIntoNewTensor} for a dispatch that writes several new float32 tensors, one per shape. */
export function dispatchIntoNewTensors(
  backend: WebGPUKernelBackend,
  targets: { readonly shapes: readonly number[][]; readonly kernelName: string; readonly reads: readonly tf.TensorInfo[] },
  errors: DeferredDispatchErrors,
  dispatch: (targets: GPUBuffer[], sink: DispatchSink) => Promise<void>,
): tf.TensorInfo[] {
  const outs = targets.shapes.map((shape) => backend.makeTensorInfo(shape, 'float32'));
  try {
    const buffers = outs.map((out) => kernelTensorBuffer(backend, out)!); // a fresh tensor without values always gets a pool buffer
    errors.watch(targets.kernelName, dispatch(buffers, tfjsStreamSink(backend, [...targets.reads, ...outs])));
  } catch (error) {
    outs.forEach((out) => backend.disposeData(out.dataId)); // the output tensors are not handed to tfjs: give their buffers back
    throw error;
  }
  return outs;
}

/**
 * Float32 tensors of `shapes` written by one webxai dispatch recorded into tfjs's own stream (see
 * {@link tfjsStreamSink}): unlike kernelToTensors + runKernel, tfjs's pending work is not flushed
 * and the dispatch has no submit of its own (two submits fewer; ~0.1 ms each on Chromium). `buffer`
 * gives the GPUBuffer of a tensor the dispatch reads (all of them must be listed in `reads`). The
 * dispatch's validation is awaited; on any failure the new tensors are disposed. Active backend: webgpu.
 */
export async function streamToNewTensors(
  shapes: readonly (readonly number[])[],
  reads: readonly tf.Tensor[],
  dispatch: (outputs: GPUBuffer[], buffer: (t: tf.Tensor) => GPUBuffer, sink: DispatchSink) => Promise<void>,
): Promise<tf.Tensor[]> {
  const backend = tf.backend() as unknown as WebGPUKernelBackend;
  const infos = shapes.map((shape) => backend.makeTensorInfo([...shape], 'float32'));
  const outputs = infos.map((info) => tf.engine().makeTensorFromTensorInfo(info));
  const buffer = (t: tf.TensorInfo) => {
    const found = kernelTensorBuffer(backend, t);
    if (!found) throw new GpuValidationError('webxai kernel', 'an input tensor is stored in a texture, not a buffer');
    return found;
  };
  try {
    await dispatch(infos.map(buffer), buffer, tfjsStreamSink(backend, [...reads, ...infos]));
  } catch (error) {
    tf.dispose(outputs);
    throw error;
  }
  return outputs;
}
