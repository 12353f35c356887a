// SPDX-License-Identifier: Apache-2.0
import source from './present.wgsl';
import { KernelBatch } from '../runtime/batch.js';
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

/** Where {@link recordPresent} draws: a texture format, and the texture, fetched when the batch is encoded. */
export interface PresentTarget {
  readonly format: GPUTextureFormat;
  /** Called at submit time (e.g. `() => context.getCurrentTexture()`): a canvas texture lives for one frame. */
  readonly texture: () => GPUTexture;
}

/**
 * Records the present render pass into `batch` (so a heatmap frame and its present share one
 * submit): `width x height` packed RGBA8 pixels from a storage buffer into the target texture.
 *
 * @example
 * const batch = new KernelBatch(device, 'frame');
 * recordPresent(batch, { format, texture: () => context.getCurrentTexture() }, pixels, 224, 224);
 * await batch.submit();
 */
export function recordPresent(batch: KernelBatch, target: PresentTarget, pixels: GPUBuffer, width: number, height: number): void {
  const device = batch.device;
  const pipeline = presentPipeline(device, target.format);
  batch.encode('present', [new Uint32Array([width, height, 0, 0]).buffer], (encoder, [params]) => {
    const bindGroup = device.createBindGroup({
      label: 'present',
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: params! },
        { binding: 1, resource: { buffer: pixels } },
      ],
    });
    const pass = encoder.beginRenderPass({
      label: 'present',
      colorAttachments: [{ view: target.texture().createView(), clearValue: [0, 0, 0, 1], loadOp: 'clear', storeOp: 'store' }],
    });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.draw(3);
    pass.end();
  });
}

/**
 * Draws `width x height` packed RGBA8 pixels (a storage buffer, e.g. heatmap-blend's output) into
 * `texture` (same size; e.g. `canvasContext.getCurrentTexture()`), inside a validation scope (also
 * when kernel validation is off).
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
  const batch = new KernelBatch(device, 'present');
  // The scope is popped whatever happens, so a failure never leaves it open for the caller's work.
  const failure = await (async () => {
    recordPresent(batch, { format: texture.format, texture: () => texture }, pixels, width, height);
    await batch.submit();
  })().then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  const error = await device.popErrorScope();
  if (failure) throw failure;
  if (error) throw new GpuValidationError('present', error.message);
}
