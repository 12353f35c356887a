// SPDX-License-Identifier: Apache-2.0
// Why this exists: tfjs-backend-webgpu 4.22 max-pools with Pool2DProgram, one invocation per
// output element (128 per workgroup) through its generic index helpers; on SwiftShader that cost
// 0.55-0.9 ms for the MNIST CNN's first pool at batch 1 and 0.26-0.36 ms for its second, more than
// most of the pass's convolutions (docs/decisions/0009). On software adapters this re-registers
// tfjs-webgpu's MaxPool so that float32 NHWC pools whose channel count is a multiple of 4 run
// webxai's direct-max-pool kernel (4 channels per invocation, vec4 loads), which computes what
// Pool2DProgram computes, bit for bit: the same start value (-1e20), window order and max() calls.
// Every other call (channels not a multiple of 4, 1x1 windows and whole-image windows, which tfjs
// runs as a copy or a Max reduction, int32, texture-backed tensors) calls tfjs's own kernel with
// the caller's arguments untouched. The gradient is unchanged: MaxPoolGrad (first-max-pool-grad.ts)
// reads the pool's input and dy, never its output.
// It runs like direct-conv-kernels.ts: runKernelSync on tfjs's device, reading the input's buffer
// and writing the buffer of an output tensor tfjs made, recorded into tfjs's own compute pass.
import * as tf from '@tensorflow/tfjs';
import { directMaxPool, poolQuadsParams, runKernelSync, type MaxPoolGeometry } from '@webxai/shaders';
import { isRank4Float } from './conv-geometry.js';
import { poolGeometry, type PoolGradAttrs } from './first-max-pool-grad.js';
import { DeferredDispatchErrors, dispatchIntoNewTensor, kernelTensorBuffer, type WebGPUKernelBackend } from './webgpu-kernel-backend.js';
import { installDirectKernels, uninstallDirectKernels, type DirectKernelFamily } from './flagged-direct-kernels.js';

/**
 * tfjs env flag: true runs tfjs-webgpu's MaxPool with webxai's direct max pooling where it covers
 * the call (same values bit for bit). Its default comes from the evaluation function passed to
 * {@link installDirectMaxPool} (configureTfjs: software adapters only); set it to false after
 * configureTfjs (or `?tfjsflags=WEBXAI_WEBGPU_DIRECT_MAX_POOL:false` in a page URL) to keep tfjs's kernel.
 */
export const DIRECT_MAX_POOL_FLAG = 'WEBXAI_WEBGPU_DIRECT_MAX_POOL';

/** The tfjs-webgpu kernels {@link installDirectMaxPool} wraps. */
export const DIRECT_MAX_POOL_KERNELS: readonly string[] = ['MaxPool'];

/** A pooling the direct kernel computes, with the tensor it reads. */
export interface DirectMaxPoolPlan {
  readonly x: tf.TensorInfo;
  readonly geometry: MaxPoolGeometry;
}

/** Validation errors of earlier dispatches, thrown by the next call (a kernel function cannot await). */
const dispatchErrors = new DeferredDispatchErrors();

/**
 * Whether tfjs's poolImpl runs Pool2DProgram for this geometry: not for 1x1 windows (a copy or a
 * strided copy that never compares with -1e20) nor for a window over the whole image of a single
 * image (a Max reduction; left to tfjs whatever the padding, which only gives up a rare case).
 */
function tfjsUsesPool2DProgram(g: MaxPoolGeometry): boolean {
  if (g.filterHeight === 1 && g.filterWidth === 1) return false;
  return !(g.batch === 1 && g.filterHeight === g.height && g.filterWidth === g.width);
}

/** What the direct kernel would compute for one MaxPool call, or undefined when tfjs's kernel must run it. */
export function directMaxPoolPlan(_kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: unknown): DirectMaxPoolPlan | undefined {
  const { x } = inputs;
  if (!isRank4Float(x) || x.shape[3]! % 4 !== 0 || tf.util.sizeFromShape(x.shape) === 0) return undefined;
  const geometry = poolGeometry(x.shape, attrs as PoolGradAttrs);
  if (geometry.outHeight * geometry.outWidth === 0 || geometry.padTop < 0 || geometry.padLeft < 0) return undefined;
  return tfjsUsesPool2DProgram(geometry) ? { x, geometry } : undefined;
}

/** Dispatches the plan into a new tfjs tensor; undefined when the input is not in a GPUBuffer. */
function runPlan(backend: WebGPUKernelBackend, plan: DirectMaxPoolPlan): tf.TensorInfo | undefined {
  const x = kernelTensorBuffer(backend, plan.x);
  if (!x) return undefined;
  const g = plan.geometry;
  const target = { shape: [g.batch, g.outHeight, g.outWidth, g.channels], kernelName: directMaxPool.name, reads: [plan.x] };
  return dispatchIntoNewTensor(backend, target, dispatchErrors, (y, sink) =>
    runKernelSync(backend.device, directMaxPool, { params: poolQuadsParams(g), x, y }, sink),
  );
}

const FAMILY: DirectKernelFamily<DirectMaxPoolPlan> = {
  flag: DIRECT_MAX_POOL_FLAG,
  kernels: DIRECT_MAX_POOL_KERNELS,
  errors: dispatchErrors,
  plan: directMaxPoolPlan,
  run: runPlan,
};

/**
 * Registers {@link DIRECT_MAX_POOL_FLAG} with `enabledByDefault` as its lazy default (evaluated at
 * the first wrapped MaxPool, once the webgpu adapter is known; a value set explicitly wins) and
 * wraps tfjs-webgpu's MaxPool. While the flag is false, or for a call the direct kernel does not
 * cover ({@link directMaxPoolPlan}), the wrapper calls tfjs's kernel with the caller's arguments
 * untouched. Idempotent; skipped if tfjs-backend-webgpu is not imported yet. Global for the page or process.
 *
 * @example
 * installDirectMaxPool(() => true);
 * tf.maxPool(x, 2, 2, 'valid'); // x [n, h, w, 16]: webxai's direct-max-pool kernel on tfjs's device
 */
export function installDirectMaxPool(enabledByDefault: () => boolean): void {
  installDirectKernels(FAMILY, enabledByDefault);
}

/** Restores tfjs-webgpu's own MaxPool (the flag stays registered). Idempotent. */
export function uninstallDirectMaxPool(): void {
  uninstallDirectKernels(FAMILY);
}
