#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// `pnpm explain`: webxai's main job on the embedded defaults. For now (foundation) it proves the
// GPU path end to end: Dawn adapter, a webxai kernel on the GPU checked against its CPU reference.
import { installNodeWebGPU } from '@webxai/shaders/node';
import { acquireDevice, affine, affineRef, createBuffer, readFloat32, releaseBuffer, runKernel, uploadBuffer } from '@webxai/shaders';

async function main(): Promise<void> {
  installNodeWebGPU();
  const adapter = await navigator.gpu.requestAdapter();
  console.log(`adapter: ${adapter?.info.vendor} / ${adapter?.info.architecture} / ${adapter?.info.description}`);
  const device = await acquireDevice();
  const input = Float32Array.from({ length: 224 * 224 * 3 }, (_, i) => Math.sin(i));
  const src = uploadBuffer(device, input, 'input');
  const dst = createBuffer(device, input.byteLength, 'output');
  await runKernel(device, affine, { params: { count: input.length, scale: 0.5, offset: 0.5 }, input: src, output: dst });
  const gpu = await readFloat32(device, dst, input.length);
  const cpu = affineRef(input, 0.5, 0.5);
  let worst = 0;
  for (let i = 0; i < gpu.length; i++) worst = Math.max(worst, Math.abs(gpu[i]! - cpu[i]!));
  console.log(`affine kernel on ${input.length} values: max |GPU - CPU| = ${worst}`);
  releaseBuffer(device, src);
  releaseBuffer(device, dst);
  device.destroy();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
