// SPDX-License-Identifier: Apache-2.0
// The rank-th smallest quantised |gradient| key of each row (Guided IG's selection threshold) as a
// tfjs kernel: on webgpu webxai's kth-key WGSL kernel, one dispatch recorded into tfjs's stream; on
// cpu its CPU reference (kthKeyRef). It replaces topk(-key, rank) + min: on lavapipe topk of the
// 3,072 keys of a 32x32x3 image took 20 ms per call (a sort, many dispatches) and Guided IG calls
// it once per selection iteration (4 per step on the gradient-small bench image). The keys are
// integers in [0, 2^GUIDED_IG_KEY_BITS] or +Inf, so the value is the same, exactly, either way.
import * as tf from '@tensorflow/tfjs';
import { KTH_KEY_MAX, kthKey, kthKeyRef, runKernelSync, UnsupportedModelError } from '@webxai/shaders';
import {
  DeferredDispatchErrors,
  dispatchIntoNewTensor,
  kernelTensorBuffer,
  type WebGPUKernelBackend,
} from '../../interop/webgpu-kernel-backend.js';

/** The tfjs kernel: input `keys` [rows, rowLength], attribute `rank`, output [rows, 1] f32. */
export const KTH_KEY_KERNEL = 'WebxaiKthKey';

/** The parts of tfjs's cpu backend the kernel needs (public KernelBackend methods). */
interface CpuKernelBackend {
  readSync(dataId: object): ArrayLike<number>;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

interface KthKeyArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: unknown;
}

/** Validation errors of earlier dispatches, thrown by the next call (a kernel function cannot await). */
const dispatchErrors = new DeferredDispatchErrors();

function shapeAndRank({ inputs, attrs }: KthKeyArgs) {
  const { keys } = inputs as { keys: tf.TensorInfo };
  const [rows, rowLength] = keys.shape as [number, number];
  return { keys, rows, rowLength, rank: (attrs as { rank: number }).rank };
}

function kthKeyWebgpu(args: KthKeyArgs): tf.TensorInfo {
  dispatchErrors.throwPending();
  const gpu = args.backend as WebGPUKernelBackend;
  const { keys, rows, rowLength, rank } = shapeAndRank(args);
  const buffer = kernelTensorBuffer(gpu, keys);
  if (!buffer) throw new UnsupportedModelError('webxai guided-ig selection: the key tensor is stored in a texture, not a GPUBuffer');
  const target = { shape: [rows, 1], kernelName: kthKey.name, reads: [keys] };
  return dispatchIntoNewTensor(gpu, target, dispatchErrors, (output, sink) =>
    runKernelSync(gpu.device, kthKey, { params: { rows, rowLength, rank }, keys: buffer, output }, sink),
  );
}

function kthKeyCpu(args: KthKeyArgs): tf.TensorInfo {
  const cpu = args.backend as CpuKernelBackend;
  const { keys, rows, rowLength, rank } = shapeAndRank(args);
  return cpu.makeTensorInfo([rows, 1], 'float32', kthKeyRef(cpu.readSync(keys.dataId), rows, rowLength, rank));
}

/** Registers the kernel for webgpu and cpu (idempotent; global for the process or page). */
function install(): void {
  if (!tf.getKernel(KTH_KEY_KERNEL, 'webgpu'))
    tf.registerKernel({ kernelName: KTH_KEY_KERNEL, backendName: 'webgpu', kernelFunc: kthKeyWebgpu });
  if (!tf.getKernel(KTH_KEY_KERNEL, 'cpu')) tf.registerKernel({ kernelName: KTH_KEY_KERNEL, backendName: 'cpu', kernelFunc: kthKeyCpu });
}

/**
 * Per row of `keys` [rows, rowLength] (integers in [0, KTH_KEY_MAX] or +Inf), the `rank`-th
 * smallest key (1 = the smallest) as [rows, 1]; +Inf when fewer than `rank` keys are finite. On
 * backends other than webgpu and cpu: tfjs's topk (a sort), which gives the same value.
 */
export function kthSmallestKey(keys: tf.Tensor2D, rank: number): tf.Tensor2D {
  install();
  const backend = tf.getBackend();
  if (backend === 'webgpu' || backend === 'cpu') {
    return tf.engine().runKernel<tf.Tensor2D>(KTH_KEY_KERNEL, { keys }, { rank });
  }
  // The largest of the `rank` smallest: a min over topk's values, whatever order topk returns them in.
  return tf.tidy(() => tf.neg(tf.min(tf.topk(tf.neg(keys), rank, false).values, 1, true)) as tf.Tensor2D);
}

export { KTH_KEY_MAX };
