// SPDX-License-Identifier: Apache-2.0
// Shared by the wrappers that run webxai's direct kernels in place of tfjs-webgpu's on software
// adapters (direct-conv-kernels, direct-depthwise-kernels, direct-matmul-kernels): a tfjs flag
// with a lazy default, a plan per call (undefined: tfjs's own kernel), and the same fallback rules.
import * as tf from '@tensorflow/tfjs';
import type { DeferredDispatchErrors, WebGPUKernelBackend } from './webgpu-kernel-backend.js';
import { replaceWebgpuKernel, restoreWebgpuKernel } from './webgpu-kernel-replacement.js';

/** One family of tfjs-webgpu kernels that webxai's direct kernels replace where they cover the call. */
export interface DirectKernelFamily<Plan> {
  /** The tfjs env flag that switches the family on (default: the `enabledByDefault` given at install). */
  readonly flag: string;
  /** The tfjs-webgpu kernel names wrapped. */
  readonly kernels: readonly string[];
  /** Validation errors of earlier dispatches, thrown by the next call (a kernel function cannot await). */
  readonly errors: DeferredDispatchErrors;
  /** What the direct kernels would compute for this call, or undefined when tfjs's kernel must run it. */
  plan(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: unknown): Plan | undefined;
  /** Runs the plan into a new tfjs tensor, or undefined when a tensor is not in a GPU buffer (tfjs's kernel runs). */
  run(backend: WebGPUKernelBackend, plan: Plan): tf.TensorInfo | undefined;
}

/** tfjs's kernel `kernelName`, replaced by the family's direct kernels while its flag is on and the call is covered. */
function directOr<Plan>(family: DirectKernelFamily<Plan>, kernelName: string, original: tf.KernelFunc): tf.KernelFunc {
  return (params) => {
    family.errors.throwPending();
    if (!tf.env().getBool(family.flag)) return original(params);
    const plan = family.plan(kernelName, params.inputs, params.attrs);
    return (plan && family.run(params.backend as WebGPUKernelBackend, plan)) ?? original(params);
  };
}

/**
 * Registers the family's flag with `enabledByDefault` as its lazy default (evaluated at the first
 * wrapped call, once the webgpu adapter is known; a value set explicitly wins) and wraps its
 * tfjs-webgpu kernels. While the flag is false, or for a call the plan does not cover, the wrapper
 * calls tfjs's kernel with the caller's arguments untouched. Idempotent; skipped if
 * tfjs-backend-webgpu is not imported yet. Global for the page or process.
 */
export function installDirectKernels<Plan>(family: DirectKernelFamily<Plan>, enabledByDefault: () => boolean): void {
  tf.env().registerFlag(family.flag, enabledByDefault);
  for (const kernelName of family.kernels) {
    replaceWebgpuKernel(kernelName, (original) => directOr(family, kernelName, original.kernelFunc));
  }
}

/** Restores tfjs-webgpu's own kernels of the family (the flag stays registered). Idempotent. */
export function uninstallDirectKernels(family: DirectKernelFamily<unknown>): void {
  for (const kernelName of family.kernels) restoreWebgpuKernel(kernelName);
}
