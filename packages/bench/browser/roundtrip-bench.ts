// SPDX-License-Identifier: Apache-2.0
// The fixed cost of one GPU-to-CPU round trip in this browser (`--filter roundtrip`): what every
// readback a method waits for costs however little work precedes it. On a GPU-less machine
// (Chromium 156 + SwiftShader, 2026-12-01) a readback came back either at once (~0.2 ms, the work
// already done when the browser first looked) or after ~2.3 ms (the next look): 0-1 tiny dispatches
// gave either in different runs, 50 gave ~2.4 ms, two readbacks in a row ~4.7 ms. So a
// single-image explanation of a 28x28 digit, with its own check readback and the page's read of
// the picture, can start ~4.5 ms behind a tfjs-cpu run that needs none.
import type { RoundTripRow } from '../src/browser-cases.js';

const SHADER = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> values: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x < arrayLength(&values)) { values[id.x] = values[id.x] * 1.0001 + 1.0; }
}`;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/** Medians of `runs` timed runs of each round trip (after 5 untimed), on a device of its own. */
export async function roundTripBench(runs: number): Promise<RoundTripRow[]> {
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter');
  const device = await adapter.requestDevice();
  const storage = device.createBuffer({ size: 256, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const staging = device.createBuffer({ size: 256, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const module = device.createShaderModule({ code: SHADER });
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [{ binding: 0, resource: { buffer: storage } }],
  });
  const readBack = async (dispatches: number) => {
    const encoder = device.createCommandEncoder();
    if (dispatches > 0) {
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      for (let i = 0; i < dispatches; i++) pass.dispatchWorkgroups(1);
      pass.end();
    }
    encoder.copyBufferToBuffer(storage, 0, staging, 0, 256);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    staging.unmap();
  };
  const cases: [string, () => Promise<void>][] = [
    ['copy + mapAsync (no compute)', () => readBack(0)],
    ['1 dispatch + mapAsync', () => readBack(1)],
    ['50 dispatches in one pass + mapAsync', () => readBack(50)],
    ['2 x (1 dispatch + mapAsync), in sequence', async () => (await readBack(1), readBack(1))],
  ];
  const rows: RoundTripRow[] = [];
  for (const [name, work] of cases) {
    for (let i = 0; i < 5; i++) await work();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      await work();
      times.push(performance.now() - start);
    }
    rows.push({ name, runs, medianMs: median(times) });
  }
  [storage, staging].forEach((b) => b.destroy());
  device.destroy();
  return rows;
}
