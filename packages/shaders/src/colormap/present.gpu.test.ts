// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest, seededInts } from '@webxai/testing';
import { liveBufferCount, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { presentPixels } from './present.js';

async function drawAndRead(device: GPUDevice, pixels: Uint32Array<ArrayBuffer>, width: number, height: number, format: GPUTextureFormat) {
  const texture = device.createTexture({
    size: [width, height],
    format,
    usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC,
  });
  const source = uploadBuffer(device, pixels, 'pixels');
  await presentPixels(device, texture, source, width, height);
  const bytesPerRow = Math.ceil((width * 4) / 256) * 256;
  const readback = device.createBuffer({ size: bytesPerRow * height, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyTextureToBuffer({ texture }, { buffer: readback, bytesPerRow }, [width, height]);
  device.queue.submit([encoder.finish()]);
  await readback.mapAsync(GPUMapMode.READ);
  const rows = new Uint8Array(readback.getMappedRange());
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) out.set(rows.subarray(y * bytesPerRow, y * bytesPerRow + width * 4), y * width * 4);
  readback.unmap();
  readback.destroy();
  texture.destroy();
  releaseBuffer(device, source);
  if (format === 'bgra8unorm') for (let i = 0; i < out.length; i += 4) [out[i], out[i + 2]] = [out[i + 2]!, out[i]!];
  return out;
}

describe('present (render pass: packed RGBA8 buffer -> texture)', () => {
  gpuTest.for([
    { width: 1, height: 1, format: 'rgba8unorm' as const },
    { width: 37, height: 19, format: 'rgba8unorm' as const },
    { width: 64, height: 48, format: 'bgra8unorm' as const },
  ])('copies every pixel exactly: $width x $height into $format', async ({ width, height, format }, { device }) => {
    const bytes = seededInts(width * height * 4, width * height, 0, 256);
    const pixels = new Uint32Array(width * height);
    for (let i = 0; i < pixels.length; i++)
      pixels[i] = (bytes[4 * i]! | (bytes[4 * i + 1]! << 8) | (bytes[4 * i + 2]! << 16) | (255 << 24)) >>> 0;
    const expected = new Uint8Array(pixels.buffer.slice(0));
    expect(Array.from(await drawAndRead(device, pixels, width, height, format))).toEqual(Array.from(expected));
    expect(liveBufferCount(device)).toBe(0);
  });
});
