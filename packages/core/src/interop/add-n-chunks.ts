// SPDX-License-Identifier: Apache-2.0
// Why this exists: tfjs-backend-webgpu 4.22's AddN binds every input and the output as storage
// buffers of one shader, and tfjs requests its device without raising
// maxStorageBuffersPerShaderStage, whose WebGPU default is 8. With 8 or more inputs the pipeline is
// invalid, and the command buffer that holds it — with every op tfjs recorded before it — is
// dropped at submit: the sum reads back 0 or garbage and the earlier ops never ran, with no
// exception (found by the browser bench: tf.addN of 9 batch sums). On every webgpu device, real or
// software, AddN is therefore run in chunks that fit the device's limit, each chunk tfjs's own
// kernel, the partial sums fed forward. Same order of additions within a chunk; float32 results can
// differ from one AddN in the last bit where the chunks split the sum.
import type * as tf from '@tensorflow/tfjs';
import { replaceWebgpuKernel, restoreWebgpuKernel } from './webgpu-kernel-replacement.js';

/** The parts of tfjs's webgpu backend this wrapper reads. */
interface WebgpuBackendLike {
  readonly device: GPUDevice;
  disposeData(dataId: object): void;
}

/** Inputs one AddN may take on `device`: one storage binding each, plus the output's. */
export function addNInputLimit(device: GPUDevice): number {
  return device.limits.maxStorageBuffersPerShaderStage - 1;
}

type KernelParams = Parameters<tf.KernelFunc>[0];

/** tfjs's AddN over `inputs` in chunks of at most `limit` (the running sum is one input of the next chunk). */
function chunkedAddN(original: tf.KernelFunc, params: KernelParams, inputs: tf.TensorInfo[], limit: number): tf.TensorInfo {
  const run = (chunk: tf.TensorInfo[]) => original({ ...params, inputs: chunk as unknown as tf.NamedTensorInfoMap }) as tf.TensorInfo;
  let sum = run(inputs.slice(0, limit));
  for (let next = limit; next < inputs.length; next += limit - 1) {
    const partial = sum;
    sum = run([partial, ...inputs.slice(next, next + limit - 1)]);
    (params.backend as WebgpuBackendLike).disposeData(partial.dataId);
  }
  return sum;
}

/** Wraps tfjs-webgpu's AddN so that it never binds more storage buffers than the device allows. Idempotent. */
export function installAddNChunks(): void {
  replaceWebgpuKernel('AddN', (original) => (params) => {
    // AddN's inputs are an array (tfjs types every kernel's inputs as a named map).
    const inputs = params.inputs as unknown as tf.TensorInfo[];
    const limit = addNInputLimit((params.backend as WebgpuBackendLike).device);
    return inputs.length <= limit ? original.kernelFunc(params) : chunkedAddN(original.kernelFunc, params, inputs, limit);
  });
}

/** Restores tfjs-webgpu's own AddN. Idempotent. */
export function uninstallAddNChunks(): void {
  restoreWebgpuKernel('AddN');
}
