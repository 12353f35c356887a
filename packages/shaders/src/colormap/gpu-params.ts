// SPDX-License-Identifier: Apache-2.0
import { GpuValidationError } from '../runtime/errors.js';
import {
  bindArgs,
  dispatchGrid,
  getPipeline,
  kernelValidationEnabled,
  submitDispatch,
  type AnySpec,
  type BindingSpec,
  type KernelArgs,
  type KernelSpec,
} from '../runtime/kernel.js';

/**
 * Dispatches `spec` like runKernel, but binds `params` (a GPU buffer with UNIFORM usage that an
 * earlier kernel wrote, e.g. heatmap-params) as its `params` uniform instead of uploading
 * `args.params`. `args.params` still sizes the dispatch and is checked, so give it the CPU-known
 * fields (placeholders for the GPU-computed ones). Nothing is read back.
 *
 * @throws {GpuValidationError} the dispatch failed validation (when kernel validation is on).
 */
export async function runKernelWithGpuParams<B extends Record<string, BindingSpec>>(
  device: GPUDevice,
  spec: KernelSpec<B>,
  args: KernelArgs<B>,
  params: GPUBuffer,
): Promise<void> {
  const bindings = bindArgs(spec, args).map((b) => (b.name === 'params' ? { name: 'params', buffer: params } : b));
  const grid = dispatchGrid(device, spec, args);
  if (grid[0] * grid[1] * grid[2] === 0) return;
  const pipeline = await getPipeline(device, spec as unknown as AnySpec);
  const validate = kernelValidationEnabled();
  if (validate) device.pushErrorScope('validation');
  submitDispatch(device, spec.name, pipeline, bindings, grid);
  if (validate) {
    const error = await device.popErrorScope();
    if (error) throw new GpuValidationError(spec.name, error.message);
  }
}
