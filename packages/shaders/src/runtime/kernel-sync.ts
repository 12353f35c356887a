// SPDX-License-Identifier: Apache-2.0
// Synchronous dispatch, for callers that cannot await: a tfjs kernel function must return its
// output tensor synchronously (see @webxai/core's first-max MaxPoolGrad). runKernel is the
// default; this path compiles with createComputePipeline (blocking, once per device and kernel),
// can record into another owner's command stream (DispatchSink) instead of submitting, and reports
// validation errors through the returned promise instead of throwing.
import { assertDeviceAlive, watchDevice } from './device.js';
import { GpuValidationError } from './errors.js';
import { assembleSource, bindArgs, dispatchGrid, kernelValidationEnabled, pipelineKey, recordDispatch, submitDispatch } from './kernel.js';
import type { AnySpec, BindingSpec, BoundArg, KernelArgs, KernelSpec } from './kernel.js';

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
 * Someone else's open command stream a dispatch can be recorded into (tfjs's, in @webxai/core):
 * it hands out the compute pass to record into and places each packed uniform where the GPU can
 * read it until that stream is submitted (queue.writeBuffer runs before the stream's submit, so each
 * uniform needs its own buffer).
 */
export interface DispatchSink {
  /** The open compute pass to record into (opened on demand). */
  computePass(): GPUComputePassEncoder;
  /** A buffer binding holding `data`, alive until the stream that uses it has been submitted. */
  uniformBinding(data: ArrayBuffer, label: string): GPUBufferBinding;
  /** Called once the dispatch is recorded (the owner may count it, or submit). */
  recorded(): void;
}

/**
 * Encodes one dispatch of `spec` before returning: submitted on its own, or recorded into `sink`'s
 * stream (then it runs when that stream is submitted, in order with the stream's other work). Same
 * checks as `runKernel` for the arguments, which throw synchronously. The returned promise settles
 * once the pipeline, bind group and (when submitted here) the command buffer have been validated
 * (when validation is on), rejecting with {@link GpuValidationError}; a broken pipeline is reported
 * there too and dropped from the cache. An error of a recorded dispatch that WebGPU only reports
 * when the sink's encoder is finished reaches the device's uncaptured-error handler instead (the
 * grid is checked against the device's limits here, so such an error means a broken stream).
 *
 * @throws {XaiError} a uniform or buffer argument is missing or malformed.
 * @throws {DeviceLostError} the device is lost.
 */
export function runKernelSync<B extends Record<string, BindingSpec>>(
  device: GPUDevice,
  spec: KernelSpec<B>,
  args: KernelArgs<B>,
  sink?: DispatchSink,
): Promise<void> {
  assertDeviceAlive(watchDevice(device), `kernel "${spec.name}"`);
  const anySpec = spec as unknown as AnySpec;
  const bindings = bindArgs(spec, args);
  const grid = dispatchGrid(device, spec, args);
  if (grid[0] * grid[1] * grid[2] === 0) return Promise.resolve();

  const validation = kernelValidationEnabled();
  if (validation) device.pushErrorScope('validation');
  const pipeline = pipelineSync(device, anySpec);
  if (sink) recordInto(sink, device, spec.name, pipeline, bindings, grid);
  else submitDispatch(device, spec.name, pipeline, bindings, grid);
  if (!validation) return Promise.resolve();
  return device.popErrorScope().then((error) => {
    if (!error) return;
    syncPipelines.get(device)?.delete(pipelineKey(anySpec)); // never keep a broken pipeline
    throw new GpuValidationError(spec.name, error.message);
  });
}

function recordInto(
  sink: DispatchSink,
  device: GPUDevice,
  name: string,
  pipeline: GPUComputePipeline,
  bindings: readonly BoundArg[],
  grid: readonly [number, number, number],
): void {
  const uniformBinding = (binding: BoundArg) => sink.uniformBinding(binding.uniform!, `${name}.${binding.name}`);
  recordDispatch(device, sink.computePass(), name, pipeline, bindings, grid, uniformBinding);
  sink.recorded();
}
