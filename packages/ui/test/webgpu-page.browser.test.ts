// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { acquireDevice, affine, affineRef, createBuffer, readFloat32, releaseBuffer, runKernel, uploadBuffer } from '@webxai/shaders';
import { requestTestDevice, seededF32 } from '@webxai/testing';

describe('WebGPU in headless Chromium (SwiftShader)', () => {
  it('runs a webxai kernel in the page and matches its CPU reference', async () => {
    const adapter = await navigator.gpu.requestAdapter();
    expect(adapter).toBeTruthy();
    console.log('adapter', adapter!.info.vendor, adapter!.info.architecture, adapter!.info.description);
    const device = await acquireDevice();
    const input = seededF32(1000, 9, -5, 5);
    const src = uploadBuffer(device, input, 'input');
    const dst = createBuffer(device, input.byteLength, 'output');
    await runKernel(device, affine, { params: { count: input.length, scale: 3, offset: -1 }, input: src, output: dst });
    expect(await readFloat32(device, dst, input.length)).toBeAllClose(affineRef(input, 3, -1), affine.tolerance);
    releaseBuffer(device, src);
    releaseBuffer(device, dst);
  });

  // Guards the --enable-features=Vulkan --use-vulkan=swiftshader --use-angle=vulkan flags: without
  // them configure() kills the GPU process and the device (and this readback) dies with it.
  it('renders into a WebGPU canvas and keeps the device alive', async () => {
    const device = (await requestTestDevice())!;
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 32;
    document.body.append(canvas);
    const context = canvas.getContext('webgpu')!;
    const format = navigator.gpu.getPreferredCanvasFormat();
    context.configure({ device, format, alphaMode: 'opaque', usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC });
    const texture = context.getCurrentTexture();
    const readback = device.createBuffer({ size: 256 * 32, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const encoder = device.createCommandEncoder();
    encoder
      .beginRenderPass({
        colorAttachments: [{ view: texture.createView(), clearValue: [1, 0.5, 0, 1], loadOp: 'clear', storeOp: 'store' }],
      })
      .end();
    encoder.copyTextureToBuffer({ texture }, { buffer: readback, bytesPerRow: 256 }, [32, 32]);
    device.queue.submit([encoder.finish()]);
    await readback.mapAsync(GPUMapMode.READ); // rejects if the GPU process crashed
    const bytes = new Uint8Array(readback.getMappedRange().slice(0, 4));
    readback.unmap();
    readback.destroy();
    // Orange in the swap-chain texture, whatever its channel order (bgra8unorm or rgba8unorm).
    const [r, g, b] = format === 'bgra8unorm' ? [bytes[2], bytes[1], bytes[0]] : [bytes[0], bytes[1], bytes[2]];
    expect([r, g, b]).toEqual([255, 128, 0]);
    await new Promise((resolve) => requestAnimationFrame(resolve)); // present a frame
    const buf = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    await buf.mapAsync(GPUMapMode.READ); // rejects if the GPU process crashed
    buf.unmap();
    buf.destroy();
    canvas.remove();
    device.destroy();
  });
});
