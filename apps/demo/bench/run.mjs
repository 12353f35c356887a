// SPDX-License-Identifier: Apache-2.0
// Runs bench/index.html (served by Vite's dev server: workspace packages from source) in headless
// Chromium (SwiftShader WebGPU) with the fake camera, and prints live-mode fps against bare predict.
// Usage: node bench/run.mjs [--frames 30] [--big-frames 4] [--rounds 3] [--models mnist,mobilenet] [--json out.json]
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../../tools/chromium.mjs';

const { values: args } = parseArgs({
  options: {
    frames: { type: 'string', default: '30' },
    'big-frames': { type: 'string', default: '4' },
    rounds: { type: 'string', default: '3' },
    models: { type: 'string', default: 'mnist,mobilenet' },
    json: { type: 'string' },
  },
});
const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const server = await createServer({
  root: appDir,
  configFile: join(appDir, 'vite.config.ts'),
  server: { host: '127.0.0.1', port: 0 },
  logLevel: 'warn',
});
await server.listen();
const base = server.resolvedUrls.local[0];
const userDataDir = await mkdtemp(join(tmpdir(), 'webxai-live-bench-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: CHROMIUM_PATH,
  headless: true,
  args: [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => console.error('[pageerror]', e.message));
  const query = new URLSearchParams({ frames: args.frames, bigFrames: args['big-frames'], rounds: args.rounds, models: args.models });
  await page.goto(`${base}bench/index.html?${query}`, { timeout: 300_000 }); // the dev server transforms on first load
  await page.waitForFunction(() => document.body.dataset.state !== 'pending', null, { timeout: 1_800_000 });
  const result = await page.evaluate(() => window.liveBench);
  if (result.error) throw new Error(result.error);
  console.log(
    `live-mode fps, Grad-CAM vs bare predict, headless Chromium (SwiftShader WebGPU), load ${(await import('node:os')).loadavg()[0].toFixed(1)}`,
  );
  console.log('model                     frames  bare fps  live fps  live/bare  bare ms  live ms');
  for (const r of result.rows) {
    console.log(
      `${r.model.padEnd(25)} ${String(r.frames).padStart(6)} ${r.bareFps.toFixed(2).padStart(9)} ${r.liveFps.toFixed(2).padStart(9)} ${r.ratio.toFixed(3).padStart(10)} ${r.bareMsPerFrame.toFixed(0).padStart(8)} ${r.liveMsPerFrame.toFixed(0).padStart(8)}`,
    );
  }
  if (args.json) writeFileSync(args.json, `${JSON.stringify(result.rows, null, 2)}\n`);
} finally {
  await context.close();
  await server.close();
  await rm(userDataDir, { recursive: true, force: true });
}
