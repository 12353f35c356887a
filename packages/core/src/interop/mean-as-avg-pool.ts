// SPDX-License-Identifier: Apache-2.0
// Why this exists: tfjs-backend-webgpu 4.22 computes `Mean` with its reduce program (a transpose,
// then a tree reduction in workgroup memory behind workgroupBarriers), which software adapters
// (SwiftShader, lavapipe) emulate very slowly. A global average pooling — the mean of an NHWC
// tensor over its spatial axes [1,2], the last step of webxai's CNNs — is exactly a `valid`
// avgPool whose window is the whole [h,w] image: on SwiftShader mean([16,7,7,64], [1,2]) took
// 61-63 ms, avgPool of the same tensor 4-12 ms (docs/decisions/0009, Decision 6). Both divide the
// sum of the h*w values by h*w. tfjs's tape records Mean with the caller's tensors, so the
// gradient stays tfjs's Mean gradient.
// Batch 1: tfjs's AvgPool sends a 'valid' pooling whose window is the whole image at batch 1
// back to its reduce program (Pool_impl.ts); the same window with strides [h,w] and 'same'
// padding (0 pads: ceil(h/h) = 1 output row) is not recognised as such and runs its pool program.
// In headless Chromium that took the batch-1 Mean [1,7,7,64] from ~7-12 ms to <1 ms (ADR 0009, 6).
import * as tf from '@tensorflow/tfjs';
import { replaceWebgpuKernel, restoreWebgpuKernel } from './webgpu-kernel-replacement.js';

/**
 * tfjs env flag: true computes tfjs-webgpu's `Mean` of a float32 [n,h,w,c] tensor over axes [1,2]
 * with tfjs-webgpu's own `AvgPool` (window [h,w]). Its default comes from the evaluation function
 * passed to {@link installMeanAsAvgPool} (configureTfjs: software adapters only); set it to false
 * after configureTfjs (or `?tfjsflags=WEBXAI_WEBGPU_MEAN_AS_AVG_POOL:false` in a page URL) to keep
 * tfjs's kernel.
 */
export const MEAN_AS_AVG_POOL_FLAG = 'WEBXAI_WEBGPU_MEAN_AS_AVG_POOL';

interface MeanAttrs {
  readonly axis: number | number[];
  readonly keepDims: boolean;
}

/**
 * The [h,w] pooling window when a mean of `x` over `axis` is a global average pooling (float32,
 * rank 4, axes exactly {1,2} in any order or as negative indices), otherwise undefined.
 */
export function globalPoolWindow(x: tf.TensorInfo, axis: number | number[]): [number, number] | undefined {
  if (x.dtype !== 'float32' || x.shape.length !== 4) return undefined;
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
  if (axes.length !== 2 || axes[0] !== 1 || axes[1] !== 2) return undefined;
  return [x.shape[1]!, x.shape[2]!];
}

/** The tfjs-webgpu kernel functions the wrapper calls (each returns one tensor). */
interface WebgpuKernels {
  readonly mean: tf.KernelFunc;
  readonly avgPool: tf.KernelFunc;
  readonly reshape: tf.KernelFunc;
}

/** The wrappers {@link installMeanAsAvgPool} registered (to tell whether one is tfjs-webgpu's Mean now). */
const wrappers = new WeakSet<tf.KernelFunc>();

/** tfjs's Mean, with a global average pooling computed by tfjs's AvgPool while the flag is on. */
function meanAsAvgPool({ mean: original, avgPool, reshape }: WebgpuKernels): tf.KernelFunc {
  const wrapper: tf.KernelFunc = (params) => {
    const x = params.inputs['x'];
    const attrs = params.attrs as unknown as MeanAttrs;
    const window = x && tf.env().getBool(MEAN_AS_AVG_POOL_FLAG) ? globalPoolWindow(x, attrs.axis) : undefined;
    if (!x || !window) return original(params);
    const { backend } = params;
    // Strides = window with 'same' padding: one [h,w] window, no padding, and a 'SAME' pad type.
    // With 'valid' tfjs's AvgPool hands a batch-1 global pooling back to its reduce program.
    const pooled = avgPool({ inputs: { x }, backend, attrs: { filterSize: window, strides: window, pad: 'same' } }) as tf.TensorInfo;
    const [n, , , c] = x.shape as [number, number, number, number];
    const shape = attrs.keepDims ? [n, 1, 1, c] : [n, c];
    // tfjs-webgpu's Reshape shares the pooled data (one more reference), so dropping ours copies nothing.
    const result = reshape({ inputs: { x: pooled }, backend, attrs: { shape } });
    (backend as { disposeData(dataId: object): boolean }).disposeData(pooled.dataId);
    return result;
  };
  wrappers.add(wrapper);
  return wrapper;
}

/**
 * Whether `tf.mean(x, [1, 2])` of a float32 NHWC tensor runs as tfjs-webgpu's AvgPool now (the
 * webgpu backend, this wrapper registered and its flag on): then a kernel that sums like AvgPool's
 * program gives the mean's bits (broadcast-mean); otherwise tfjs's reduce program sums in another order.
 */
export function globalMeanRunsAsAvgPool(): boolean {
  if (tf.getBackend() !== 'webgpu') return false;
  const mean = tf.getKernel('Mean', 'webgpu');
  return mean !== undefined && wrappers.has(mean.kernelFunc) && tf.env().getBool(MEAN_AS_AVG_POOL_FLAG);
}

/**
 * Registers {@link MEAN_AS_AVG_POOL_FLAG} with `enabledByDefault` as its lazy default (evaluated at
 * the first Mean call, when the webgpu adapter is known; a value set explicitly wins) and wraps
 * tfjs-webgpu's `Mean`. While the flag is false, or for any other mean (other axes, ranks, dtypes),
 * the wrapper calls tfjs's kernel with the caller's arguments untouched. Idempotent; skipped if
 * tfjs-backend-webgpu is not imported yet. Global for the page or process.
 *
 * @example
 * installMeanAsAvgPool(() => true);
 * tf.mean(tf.ones([2, 7, 7, 8]), [1, 2]); // tfjs's AvgPool with a 7x7 window, reshaped to [2, 8]
 */
export function installMeanAsAvgPool(enabledByDefault: () => boolean): void {
  tf.env().registerFlag(MEAN_AS_AVG_POOL_FLAG, enabledByDefault);
  const [avgPool, reshape] = ['AvgPool', 'Reshape'].map((name) => tf.getKernel(name, 'webgpu'));
  if (!avgPool || !reshape) return;
  replaceWebgpuKernel('Mean', (original) =>
    meanAsAvgPool({ mean: original.kernelFunc, avgPool: avgPool.kernelFunc, reshape: reshape.kernelFunc }),
  );
}

/** Restores tfjs-webgpu's own `Mean` (the flag stays registered). Idempotent. */
export function uninstallMeanAsAvgPool(): void {
  restoreWebgpuKernel('Mean');
}
