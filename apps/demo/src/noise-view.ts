// SPDX-License-Identifier: Apache-2.0
// Draws a buffer of values in [0, 1) as a grey image into a WebGPU canvas, under an orange bar
// (a fixed colour the e2e test looks for).

const SHADER = /* wgsl */ `
struct View { width: u32, height: u32, barRows: u32 }
@group(0) @binding(0) var<uniform> view: View;
@group(0) @binding(1) var<storage, read> values: array<f32>;

@vertex fn vs(@builtin(vertex_index) i: u32) -> @builtin(position) vec4f {
  let p = array<vec2f, 3>(vec2f(-1.0, -1.0), vec2f(3.0, -1.0), vec2f(-1.0, 3.0));
  return vec4f(p[i], 0.0, 1.0);
}

@fragment fn fs(@builtin(position) position: vec4f) -> @location(0) vec4f {
  let x = u32(position.x);
  let y = u32(position.y);
  if (y < view.barRows) {
    return vec4f(1.0, 0.4, 0.0, 1.0);
  }
  let v = values[(y - view.barRows) * view.width + x];
  return vec4f(v, v, v, 1.0);
}`;

/** Rows of the orange bar at the top of the canvas. */
export const BAR_ROWS = 32;

/** Renders `values` ((height - BAR_ROWS) x width, row-major) into `canvas` and waits for the GPU. */
export async function drawNoise(device: GPUDevice, canvas: HTMLCanvasElement, values: GPUBuffer): Promise<void> {
  const context = canvas.getContext('webgpu');
  if (!context) throw new Error('canvas.getContext("webgpu") returned null');
  const format = navigator.gpu.getPreferredCanvasFormat();
  context.configure({ device, format, alphaMode: 'opaque' });
  const module = device.createShaderModule({ label: 'noise-view', code: SHADER });
  const pipeline = device.createRenderPipeline({
    label: 'noise-view',
    layout: 'auto',
    vertex: { module, entryPoint: 'vs' },
    fragment: { module, entryPoint: 'fs', targets: [{ format }] },
  });
  const uniforms = device.createBuffer({ label: 'noise-view.view', size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(uniforms, 0, new Uint32Array([canvas.width, canvas.height, BAR_ROWS, 0]));
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: uniforms } },
      { binding: 1, resource: { buffer: values } },
    ],
  });
  const encoder = device.createCommandEncoder({ label: 'noise-view' });
  const pass = encoder.beginRenderPass({
    colorAttachments: [{ view: context.getCurrentTexture().createView(), clearValue: [0, 0, 0, 1], loadOp: 'clear', storeOp: 'store' }],
  });
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.draw(3);
  pass.end();
  device.queue.submit([encoder.finish()]);
  await device.queue.onSubmittedWorkDone();
  uniforms.destroy();
}
