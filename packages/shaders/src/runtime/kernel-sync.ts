// SPDX-License-Identifier: Apache-2.0
// Synchronous dispatch, for callers that cannot await: a tfjs kernel function must return its
// output tensor synchronously (see @webxai/core's first-max MaxPoolGrad). runKernel is the
// default; this path compiles with createComputePipeline (blocking, once per device and kernel)
// and reports validation errors through the returned promise instead of throwing.
import { assertDeviceAlive, watchDevice } from './device.js';
import { GpuValidationError } from './errors.js';
import { assembleSource, bindArgs, dispatchGrid, kernelValidationEnabled, pipelineKey, submitDispatch } from './kernel.js';
import type { AnySpec, BindingSpec, KernelArgs, KernelSpec } from './kernel.js';

const syncPipelines = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

function pipelineSync(device: GPUDevice, spec: AnySpec): GPUComputePipeline {
  let perDevice = syncPipelines.get(device);
  if (!perDevice) syncPipelines.set(device, (perDevice = new Map<string, GPUComputePipeline>()));
  const key = pipelineKey(spec);
  let pipeline = perDevice.get(key);
  if (!pipeline) {
    const module = device.createShaderModule({ label: spec.name, code: assembleSource(spec).code });
    pipeline = device.createComputePipeline({
      label: spec.name,
      layout: 'auto',
      compute: { module, entryPoint: 'main', constants: { WORKGROUP_SIZE: spec.workgroupSize, ...spec.constants } },
    });
    perDevice.set(key, pipeline);
  }
  return pipeline;
}

/**
 * Encodes and submits one dispatch of `spec` before returning (same checks as `runKernel` for the
 * arguments, which throw synchronously). The returned promise settles once the dispatch has been
 * validated (when validation is on), rejecting with {@link GpuValidationError}; a broken pipeline
 * is reported there too and dropped from the cache.
 *
 * @throws {XaiError} a uniform or buffer argument is missing or malformed.
 * @throws {DeviceLostError} the device is lost.
 */
export function runKernelSync<B extends Record<string, BindingSpec>>(
  device: GPUDevice,
  spec: KernelSpec<B>,
  args: KernelArgs<B>,
): Promise<void> {
  assertDeviceAlive(watchDevice(device), `kernel "${spec.name}"`);
  const anySpec = spec as unknown as AnySpec;
  const bindings = bindArgs(spec, args);
  const grid = dispatchGrid(device, spec, args);
  if (grid[0] * grid[1] * grid[2] === 0) return Promise.resolve();

  const validation = kernelValidationEnabled();
  if (validation) device.pushErrorScope('validation');
  submitDispatch(device, spec.name, pipelineSync(device, anySpec), bindings, grid);
  if (!validation) return Promise.resolve();
  return device.popErrorScope().then((error) => {
    if (!error) return;
    syncPipelines.get(device)?.delete(pipelineKey(anySpec)); // never keep a broken pipeline
    throw new GpuValidationError(spec.name, error.message);
  });
}
