// SPDX-License-Identifier: Apache-2.0
// The demo page, for now: runs webxai kernels on navigator.gpu, checks them against their CPU
// references, and draws kernel output into a WebGPU canvas. <body data-state> ends as "ok",
// "failed", "no-webgpu" or "error" (the e2e test waits for it).
import { acquireDevice, randomUniform, readFloat32, releaseBuffer, WebGPUUnavailableError } from '@webxai/shaders';
import { checkRandom, checkReduce, type Check } from './checks.js';
import { BAR_ROWS, drawNoise } from './noise-view.js';

const SEED = 42;

function show(checks: readonly Check[]): void {
  const list = document.querySelector('#checks')!;
  list.replaceChildren(
    ...checks.map((check) => {
      const item = document.createElement('li');
      item.dataset.pass = String(check.pass);
      item.textContent = `${check.name} (${check.detail})`;
      return item;
    }),
  );
}

async function main(): Promise<void> {
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) throw new WebGPUUnavailableError('no WebGPU adapter');
  const info = adapter.info;
  document.querySelector('#adapter')!.textContent = [info.vendor, info.architecture, info.description].filter(Boolean).join(' / ');
  const device = await acquireDevice();

  const canvas = document.querySelector<HTMLCanvasElement>('#noise')!;
  const rowLength = canvas.width * (canvas.height - BAR_ROWS); // one noise image fills the canvas
  const rows = 4;
  const noise = await randomUniform(device, { seed: SEED, count: rows * rowLength });
  try {
    const values = await readFloat32(device, noise, rows * rowLength);
    const checks = [...(await checkRandom(device, SEED, 1 << 16)), await checkReduce(device, noise, values, rows, rowLength)];
    show(checks);
    await drawNoise(device, canvas, noise);
    canvas.dataset.state = 'drawn';
    document.body.dataset.state = checks.every((c) => c.pass) ? 'ok' : 'failed';
  } finally {
    releaseBuffer(device, noise);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  document.body.dataset.state = error instanceof WebGPUUnavailableError ? 'no-webgpu' : 'error';
  document.body.dataset.error = String(error);
});
