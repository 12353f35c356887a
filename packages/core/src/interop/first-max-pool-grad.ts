// SPDX-License-Identifier: Apache-2.0
// webxai's MaxPoolGrad for tfjs-backend-webgpu: the first maximal element of each pooling window
// (row-major window order) receives the gradient, as on tfjs's cpu backend, in PyTorch and in
// TensorFlow. tfjs-backend-webgpu 4.22 sends it to the last one, so gradient maps of max-pool
// models differed between backends wherever a window holds ties (docs/decisions/0005).
// Registered globally for the 'webgpu' backend, idempotently, the first time webxai's GPU path
// runs (or by calling installFirstMaxPoolGrad); uninstallFirstMaxPoolGrad restores tfjs's kernel.
// Relies on the tfjs 4.22 internals listed in WebGPUKernelBackend; first-max-pool-grad.gpu.test.ts
// fails if an upgrade changes them or fixes tfjs's tie rule.
import * as tf from '@tensorflow/tfjs';
import { GpuValidationError, maxPoolGrad, runKernelSync, UnsupportedModelError } from '@webxai/shaders';

const KERNEL = 'MaxPoolGrad';
const BACKEND = 'webgpu';

/** The parts of tfjs-backend-webgpu 4.22's WebGPUBackend a kernel function needs. */
interface WebGPUKernelBackend {
  readonly device: GPUDevice;
  readonly tensorMap: { get(dataId: object): { resource: unknown } | undefined };
  readonly commandEncoder: GPUCommandEncoder | null;
  makeTensorInfo(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  uploadToGPU(dataId: object): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

interface MaxPoolGradAttrs {
  readonly filterSize: number | [number, number];
  readonly strides: number | [number, number];
  readonly pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  readonly dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

let replaced: tf.KernelConfig | undefined;
/** A validation error of an earlier dispatch, thrown by the next call (a kernel function cannot await). */
let deferredError: GpuValidationError | undefined;

function bufferOf(backend: WebGPUKernelBackend, info: tf.TensorInfo, what: string): GPUBuffer {
  backend.uploadToGPU(info.dataId);
  const resource = backend.tensorMap.get(info.dataId)?.resource;
  if (!(resource instanceof GPUBuffer)) {
    throw new UnsupportedModelError(`webxai MaxPoolGrad: the ${what} tensor is not stored in a GPUBuffer (a texture input cannot be pooled here)`);
  }
  return resource;
}

function firstMaxPoolGrad({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: unknown }): tf.TensorInfo {
  if (deferredError) {
    const error = deferredError;
    deferredError = undefined;
    throw error;
  }
  const gpu = backend as WebGPUKernelBackend;
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const dx = gpu.makeTensorInfo([...input.shape], 'float32');
  const count = tf.util.sizeFromShape(input.shape);
  if (count === 0 || tf.util.sizeFromShape(dy.shape) === 0) return dx;
  const buffers = { input: bufferOf(gpu, input, 'input'), dy: bufferOf(gpu, dy, 'dy'), dx: bufferOf(gpu, dx, 'output') };
  // tfjs records lazily: submit what it has recorded (dy and x may still be pending) before ours.
  if (gpu.commandEncoder) {
    gpu.endComputePassEncoder();
    gpu.submitQueue();
  }
  const params = {
    count,
    height: info.inHeight,
    width: info.inWidth,
    channels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
  runKernelSync(gpu.device, maxPoolGrad, { params, ...buffers }).catch((error: unknown) => {
    deferredError = error instanceof GpuValidationError ? error : new GpuValidationError('max-pool-grad', String(error));
  });
  return dx;
}

/**
 * Makes tfjs's 'webgpu' backend compute MaxPoolGrad (the gradient of `tf.maxPool` and of layers'
 * MaxPooling2D) with webxai's max-pool-grad kernel: the FIRST maximal element of each window
 * receives the gradient, as on tfjs's cpu backend and in PyTorch, instead of tfjs-webgpu's last.
 * This is global for the page or process: every tfjs user of the webgpu backend gets the new tie
 * rule (values other than ties are unchanged). Idempotent; webxai calls it when its GPU path runs.
 *
 * @example
 * installFirstMaxPoolGrad();
 * tf.grad((x) => tf.maxPool(x, 2, 2, 'valid').sum())(tf.zeros([1, 2, 2, 1])); // [[1, 0], [0, 0]]
 */
export function installFirstMaxPoolGrad(): void {
  if (replaced) return;
  const current = tf.getKernel(KERNEL, BACKEND);
  if (!current) return; // tfjs-backend-webgpu not imported: nothing to replace (a later install call will)
  replaced = current;
  tf.unregisterKernel(KERNEL, BACKEND);
  tf.registerKernel({ kernelName: KERNEL, backendName: BACKEND, kernelFunc: firstMaxPoolGrad as unknown as tf.KernelFunc });
}

/** Restores tfjs-backend-webgpu's own MaxPoolGrad (last maximal element). Idempotent. */
export function uninstallFirstMaxPoolGrad(): void {
  if (!replaced) return;
  tf.unregisterKernel(KERNEL, BACKEND);
  tf.registerKernel(replaced);
  replaced = undefined;
}

/** True while webxai's first-max MaxPoolGrad is registered for the webgpu backend. */
export function firstMaxPoolGradInstalled(): boolean {
  return replaced !== undefined && tf.getKernel(KERNEL, BACKEND)?.kernelFunc === (firstMaxPoolGrad as unknown);
}
