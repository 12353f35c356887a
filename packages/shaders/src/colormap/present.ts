// SPDX-License-Identifier: Apache-2.0
import source from './present.wgsl';
import { BufferUsage } from '../runtime/buffers.js';
import { assertDeviceAlive, watchDevice } from '../runtime/device.js';
import { GpuValidationError } from '../runtime/errors.js';

const pipelines = new WeakMap<GPUDevice, Map<GPUTextureFormat, GPURenderPipeline>>();

function presentPipeline(device: GPUDevice, format: GPUTextureFormat): GPURenderPipeline {
  let perDevice = pipelines.get(device);
  if (!perDevice) pipelines.set(device, (perDevice = new Map<GPUTextureFormat, GPURenderPipeline>()));
  let pipeline = perDevice.get(format);
  if (!pipeline) {
    const module = device.createShaderModule({ label: 'present', code: source });
    pipeline = device.createRenderPipeline({
      label: 'present',
      layout: 'auto',
      vertex: { module, entryPoint: 'vs' },
      fragment: { module, entryPoint: 'fs', targets: [{ format }] },
      primitive: { topology: 'triangle-list' },
    });
    perDevice.set(format, pipeline);
  }
  return pipeline;
}

/**
 * Draws `width x height` packed RGBA8 pixels (a storage buffer, e.g. heatmap-blend's output) into
 * `texture` (same size; e.g. `canvasContext.getCurrentTexture()`), inside a validation scope.
 *
 * @throws {GpuValidationError} named "present" when the draw fails validation.
 * @example
 * await presentPixels(device, context.getCurrentTexture(), renderer.output, 224, 224);
 */
export async function presentPixels(
  device: GPUDevice,
  texture: GPUTexture,
  pixels: GPUBuffer,
  width: number,
  height: number,
): Promise<void> {
  assertDeviceAlive(watchDevice(device), 'present');
  device.pushErrorScope('validation');
  const pipeline = presentPipeline(device, texture.format);
  const params = device.createBuffer({ label: 'present.params', size: 16, usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST });
  device.queue.writeBuffer(params, 0, new Uint32Array([width, height, 0, 0]));
  const bindGroup = device.createBindGroup({
    label: 'present',
    layout: pipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: params } },
      { binding: 1, resource: { buffer: pixels } },
    ],
  });
  const encoder = device.createCommandEncoder({ label: 'present' });
  const pass = encoder.beginRenderPass({
    label: 'present',
    colorAttachments: [{ view: texture.createView(), clearValue: [0, 0, 0, 1], loadOp: 'clear', storeOp: 'store' }],
  });
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.draw(3);
  pass.end();
  device.queue.submit([encoder.finish()]);
  params.destroy();
  const error = await device.popErrorScope();
  if (error) throw new GpuValidationError('present', error.message);
}
