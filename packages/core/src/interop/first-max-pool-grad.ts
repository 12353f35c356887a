// SPDX-License-Identifier: Apache-2.0
// webxai's max-pool gradients for tfjs: the first maximal element of each pooling window
// (row-major window order) receives the gradient, as in PyTorch and TensorFlow and on tfjs's cpu
// backend for 2-D. tfjs 4.22 sends it to the last one on webgpu (MaxPoolGrad, MaxPool3DGrad) and on
// cpu for 3-D (MaxPool3DGrad, which also drops the gradient when the window's height != width), so
// gradient maps of max-pool models differed between backends wherever a window holds ties
// (docs/decisions/0005). Registered globally, idempotently, the first time webxai's GPU or CPU path
// runs (or by calling installFirstMaxPoolGrad): webgpu MaxPoolGrad and MaxPool3DGrad (WGSL kernel
// max-pool-grad), cpu MaxPool3DGrad (its f64 reference); uninstallFirstMaxPoolGrad restores tfjs's
// kernels. Relies on the tfjs 4.22 internals listed in WebGPUKernelBackend (webgpu-kernel-backend.ts);
// first-max-pool-grad.gpu.test.ts fails if an upgrade changes them or fixes tfjs's tie rule.
import * as tf from '@tensorflow/tfjs';
import {
  maxPoolGrad,
  maxPoolGradInvocations,
  maxPoolGradTiles,
  maxPoolGradTilesCovers,
  poolQuadsParams,
  maxPoolGradRef,
  runKernelSync,
  UnsupportedModelError,
  type MaxPoolGeometry,
} from '@webxai/shaders';
import {
  DeferredDispatchErrors,
  dispatchIntoNewTensor,
  kernelTensorBuffer,
  type CpuKernelBackend,
  type WebGPUKernelBackend,
} from './webgpu-kernel-backend.js';

/** Attributes of MaxPool, MaxPoolGrad, MaxPool3D and MaxPool3DGrad (tfjs 4.22). */
export interface PoolGradAttrs {
  readonly filterSize: number | number[];
  readonly strides: number | number[];
  readonly pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  readonly dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: unknown;
}

/** The kernels webxai replaces, and the tfjs kernel each replaced (restored by uninstall). */
const replaced = new Map<string, tf.KernelConfig>();
/** Validation errors of earlier dispatches, thrown by the next call (a kernel function cannot await). */
const dispatchErrors = new DeferredDispatchErrors();

/** Geometry of a 2-D (NHWC) or 3-D (NDHWC) pooling of an input of `shape`, from tfjs's own pool-info helpers. */
export function poolGeometry(shape: readonly number[], attrs: PoolGradAttrs): MaxPoolGeometry {
  const { filterSize, strides, pad, dimRoundingMode } = attrs;
  if (shape.length === 5) {
    const i = tf.backend_util.computePool3DInfo(
      shape as [number, number, number, number, number],
      filterSize as [number, number, number],
      strides as [number, number, number],
      1,
      pad as 'same',
      dimRoundingMode,
    );
    return {
      batch: i.batchSize,
      depth: i.inDepth,
      height: i.inHeight,
      width: i.inWidth,
      channels: i.inChannels,
      outDepth: i.outDepth,
      outHeight: i.outHeight,
      outWidth: i.outWidth,
      filterDepth: i.filterDepth,
      filterHeight: i.filterHeight,
      filterWidth: i.filterWidth,
      strideDepth: i.strideDepth,
      strideHeight: i.strideHeight,
      strideWidth: i.strideWidth,
      padFront: i.padInfo.front,
      padTop: i.padInfo.top,
      padLeft: i.padInfo.left,
    };
  }
  const i = tf.backend_util.computePool2DInfo(
    shape as [number, number, number, number],
    filterSize as [number, number],
    strides as [number, number],
    1,
    pad,
    dimRoundingMode,
  );
  return {
    batch: i.batchSize,
    depth: 1,
    height: i.inHeight,
    width: i.inWidth,
    channels: i.inChannels,
    outDepth: 1,
    outHeight: i.outHeight,
    outWidth: i.outWidth,
    filterDepth: 1,
    filterHeight: i.filterHeight,
    filterWidth: i.filterWidth,
    strideDepth: 1,
    strideHeight: i.strideHeight,
    strideWidth: i.strideWidth,
    padFront: 0,
    padTop: i.padInfo.top,
    padLeft: i.padInfo.left,
  };
}

function bufferOf(backend: WebGPUKernelBackend, info: tf.TensorInfo, what: string): GPUBuffer {
  const buffer = kernelTensorBuffer(backend, info);
  if (!buffer) {
    throw new UnsupportedModelError(
      `webxai max-pool gradient: the ${what} tensor is not stored in a GPUBuffer (a texture input cannot be pooled here)`,
    );
  }
  return buffer;
}

/** MaxPoolGrad / MaxPool3DGrad on tfjs-backend-webgpu with webxai's max-pool-grad kernel. */
function firstMaxPoolGradWebgpu({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  dispatchErrors.throwPending();
  const gpu = backend as WebGPUKernelBackend;
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const pool = poolGeometry(input.shape, attrs as PoolGradAttrs);
  const { batch: _batch, ...geometry } = pool;
  const count = maxPoolGradInvocations(pool);
  if (count === 0 || tf.util.sizeFromShape(dy.shape) === 0) return gpu.makeTensorInfo([...input.shape], 'float32');
  const sources = { input: bufferOf(gpu, input, 'input'), dy: bufferOf(gpu, dy, 'dy') };
  // Windows that tile a 2-D map with 4k channels: one invocation per window (same bits; faster on SwiftShader, ADR 0009).
  const tiles = maxPoolGradTilesCovers(pool);
  const target = { shape: [...input.shape], kernelName: tiles ? maxPoolGradTiles.name : maxPoolGrad.name, reads: [input, dy] };
  return dispatchIntoNewTensor(gpu, target, dispatchErrors, (dx, sink) =>
    tiles
      ? runKernelSync(gpu.device, maxPoolGradTiles, { params: poolQuadsParams(pool), ...sources, dx }, sink)
      : runKernelSync(gpu.device, maxPoolGrad, { params: { count, ...geometry }, ...sources, dx }, sink),
  );
}

/**
 * MaxPool3DGrad on tfjs's cpu backend: maxPoolGradRef (f64 sums, first maximum). Replaces tfjs
 * 4.22's, which picks the last maximum and indexes the window with its height where it needs its
 * width (so any window with height != width loses its gradient).
 */
function firstMaxPool3dGradCpu({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const cpu = backend as CpuKernelBackend;
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const geometry = poolGeometry(input.shape, attrs as PoolGradAttrs);
  const dx = maxPoolGradRef(cpu.readSync(input.dataId), cpu.readSync(dy.dataId), geometry);
  return cpu.makeTensorInfo([...input.shape], 'float32', dx);
}

const OVERRIDES: readonly tf.KernelConfig[] = [
  { kernelName: 'MaxPoolGrad', backendName: 'webgpu', kernelFunc: firstMaxPoolGradWebgpu },
  { kernelName: 'MaxPool3DGrad', backendName: 'webgpu', kernelFunc: firstMaxPoolGradWebgpu },
  { kernelName: 'MaxPool3DGrad', backendName: 'cpu', kernelFunc: firstMaxPool3dGradCpu },
];

const keyOf = (k: tf.KernelConfig) => `${k.kernelName}/${k.backendName}`;

/**
 * Makes tfjs compute the gradients of max pooling with webxai's first-max rule: the FIRST maximal
 * element of each window receives the gradient, as in PyTorch, TensorFlow and tfjs's cpu backend
 * for 2-D. Replaces webgpu's MaxPoolGrad (gradient of `tf.maxPool`, layers' MaxPooling2D) and
 * MaxPool3DGrad (WGSL kernel max-pool-grad) and cpu's MaxPool3DGrad (f64 reference). This is global
 * for the page or process: every tfjs user of those backends gets the new tie rule (values other
 * than ties are unchanged; cpu 3-D windows with height != width get their gradient back).
 * Idempotent; webxai calls it whenever its GPU or CPU path runs. A backend whose package is not
 * imported yet is skipped (a later install call picks it up).
 *
 * @example
 * installFirstMaxPoolGrad();
 * tf.grad((x) => tf.maxPool(x, 2, 2, 'valid').sum())(tf.zeros([1, 2, 2, 1])); // [[1, 0], [0, 0]]
 */
export function installFirstMaxPoolGrad(): void {
  for (const ours of OVERRIDES) {
    const key = keyOf(ours);
    if (replaced.has(key)) continue;
    const current = tf.getKernel(ours.kernelName, ours.backendName);
    if (!current) continue;
    replaced.set(key, current);
    tf.unregisterKernel(ours.kernelName, ours.backendName);
    tf.registerKernel(ours);
  }
}

/** Restores tfjs's own max-pool gradient kernels (last maximal element). Idempotent. */
export function uninstallFirstMaxPoolGrad(): void {
  for (const [key, original] of replaced) {
    tf.unregisterKernel(original.kernelName, original.backendName);
    tf.registerKernel(original);
    replaced.delete(key);
  }
}

/** True while every one of webxai's first-max kernels whose backend is registered is installed. */
export function firstMaxPoolGradInstalled(): boolean {
  let any = false;
  for (const ours of OVERRIDES) {
    const current = tf.getKernel(ours.kernelName, ours.backendName);
    if (!current) continue;
    if (current.kernelFunc !== ours.kernelFunc) return false;
    any = true;
  }
  return any;
}
