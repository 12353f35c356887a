// SPDX-License-Identifier: Apache-2.0
import { createBuffer, releaseBuffer, uploadBuffer } from '@webxai/shaders';

/**
 * The GPU buffers one explanation creates, released together in a `finally` (success, error or
 * abort alike), so nothing leaks.
 */
export class GpuScope {
  private readonly buffers: GPUBuffer[] = [];
  constructor(readonly device: GPUDevice) {}

  create(byteLength: number, label: string): GPUBuffer {
    const buffer = createBuffer(this.device, byteLength, label);
    this.buffers.push(buffer);
    return buffer;
  }

  upload(data: Float32Array<ArrayBuffer> | Uint32Array<ArrayBuffer> | Int32Array<ArrayBuffer>, label: string): GPUBuffer {
    const buffer = uploadBuffer(this.device, data, label);
    this.buffers.push(buffer);
    return buffer;
  }

  write(buffer: GPUBuffer, data: Float32Array<ArrayBuffer> | Uint32Array<ArrayBuffer>, offsetElements = 0): void {
    this.device.queue.writeBuffer(buffer, offsetElements * 4, data);
  }

  release(): void {
    for (const buffer of this.buffers.splice(0)) releaseBuffer(this.device, buffer);
  }
}
