// SPDX-License-Identifier: Apache-2.0
// Synchronous dispatch, for callers that cannot await: a tfjs kernel function must return its
// output tensor synchronously (see @webxai/core's first-max MaxPoolGrad). runKernel is the
// default; this path compiles with createComputePipeline (blocking, once per device and kernel)
// and reports validation errors through the returned promise instead of throwing.
import prelude from './prelude.wgsl';
import { assertDeviceAlive, watchDevice } from './device.js';
import { foldWorkgroups } from './dispatch.js';
import { GpuValidationError, XaiError } from './errors.js';
import { BufferUsage } from './buffers.js';
import { packUniform, pipelineKey, kernelValidationEnabled } from './kernel.js';
import type { AnySpec, BindingSpec, KernelArgs, KernelSpec, UniformType } from './kernel.js';

const syncPipelines = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

function pipelineSync(device: GPUDevice, spec: AnySpec): GPUComputePipeline {
  let perDevice = syncPipelines.get(device);
  if (!perDevice) syncPipelines.set(device, (perDevice = new Map()));
  const key = pipelineKey(spec);
  let pipeline = perDevice.get(key);
  if (!pipeline) {
    const module = device.createShaderModule({ label: spec.name, code: `${prelude}\n${spec.source}` });
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
export function runKernelSync<B extends Record<string, BindingSpec>>(device: GPUDevice, spec: KernelSpec<B>, args: KernelArgs<B>): Promise<void> {
  assertDeviceAlive(watchDevice(device), `kernel "${spec.name}"`);
  const anySpec = spec as unknown as AnySpec;
  const bindings = Object.entries(anySpec.bindings).map(([name, binding]) => {
    const value = (args as Record<string, unknown>)[name];
    if ('uniform' in binding) {
      return { name, uniform: packUniform(anySpec, name, binding.uniform as Record<string, UniformType>, value as Record<string, number>) };
    }
    if (!value) throw new XaiError('invalid-option', `kernel "${spec.name}": missing buffer for binding "${name}"`);
    return { name, buffer: value as GPUBuffer };
  });
  const requested = spec.workgroups(args);
  const [x, y = 1, z = 1] = typeof requested === 'number' ? foldWorkgroups(requested) : requested;
  if (x * y * z === 0) return Promise.resolve();

  const validation = kernelValidationEnabled();
  if (validation) device.pushErrorScope('validation');
  const pipeline = pipelineSync(device, anySpec);
  const transient: GPUBuffer[] = [];
  const entries: GPUBindGroupEntry[] = bindings.map((binding, index) => {
    if (binding.buffer) return { binding: index, resource: { buffer: binding.buffer } };
    const data = binding.uniform!;
    const buffer = device.createBuffer({ label: `${spec.name}.${binding.name}`, size: data.byteLength, usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST });
    device.queue.writeBuffer(buffer, 0, data);
    transient.push(buffer);
    return { binding: index, resource: { buffer } };
  });
  const encoder = device.createCommandEncoder({ label: spec.name });
  const pass = encoder.beginComputePass({ label: spec.name });
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, device.createBindGroup({ label: spec.name, layout: pipeline.getBindGroupLayout(0), entries }));
  pass.dispatchWorkgroups(x, y, z);
  pass.end();
  device.queue.submit([encoder.finish()]);
  transient.forEach((b) => b.destroy()); // deferred by WebGPU until the submitted work completes
  if (!validation) return Promise.resolve();
  return device.popErrorScope().then((error) => {
    if (!error) return;
    syncPipelines.get(device)?.delete(pipelineKey(anySpec)); // never keep a broken pipeline
    throw new GpuValidationError(spec.name, error.message);
  });
}
