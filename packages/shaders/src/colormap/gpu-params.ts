// SPDX-License-Identifier: Apache-2.0
import { recordKernels, type BatchDispatchOptions } from '../runtime/batch.js';
import type { BindingSpec, KernelArgs, KernelSpec } from '../runtime/kernel.js';

/**
 * Dispatches `spec` like runKernel, but binds `params` (a GPU buffer with UNIFORM usage that an
 * earlier kernel wrote, e.g. heatmap-params) as its `params` uniform instead of uploading
 * `args.params`. `args.params` still sizes the dispatch and is checked, so give it the CPU-known
 * fields (placeholders for the GPU-computed ones). Nothing is read back. To run it with other
 * kernels in one submit, record it into a KernelBatch with `{ uniformBuffers: { params } }`.
 *
 * @throws {GpuValidationError} the dispatch failed validation (when kernel validation is on).
 * @throws {InvalidOptionError} `spec` has no `params` uniform.
 */
export async function runKernelWithGpuParams<B extends Record<string, BindingSpec>>(
  device: GPUDevice,
  spec: KernelSpec<B>,
  args: KernelArgs<B>,
  params: GPUBuffer,
): Promise<void> {
  await recordKernels(device, spec.name, (batch) => batch.dispatch(spec, args, { uniformBuffers: { params } } as BatchDispatchOptions<B>));
}
