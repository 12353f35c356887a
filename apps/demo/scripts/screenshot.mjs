// SPDX-License-Identifier: Apache-2.0
// e2e: serves dist/ with `vite preview` on 127.0.0.1 (random port), opens it in Debian's chromium
// (SwiftShader WebGPU) through playwright-core, waits for the page's verdict, screenshots it to
// screenshots/, checks page state and canvas pixels, and writes reports/e2e.json
// ({numPassedTests, numFailedTests, success}, summed by tools/test-summary.mjs).
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { preview } from 'vite';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../../tools/chromium.mjs';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(appDir);

/** Must match src/noise-view.ts. */
const BAR_ROWS = 32;
const results = [];
const check = (name, pass, detail = '') => {
  results.push({ name, pass: Boolean(pass), detail });
  console.log(`${pass ? 'ok  ' : 'FAIL'} ${name}${detail ? ` (${detail})` : ''}`);
};

const server = await preview({ root: appDir, preview: { host: '127.0.0.1', port: 0, strictPort: false } });
const url = server.resolvedUrls?.local[0];
const userDataDir = await mkdtemp(join(tmpdir(), 'webxai-demo-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: CHROMIUM_PATH,
  headless: true,
  args: CHROMIUM_ARGS,
  viewport: { width: 800, height: 900 },
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  const problems = [];
  page.on('console', (m) => {
    console.log('[page]', m.type(), m.text());
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.state !== 'pending', null, { timeout: 60_000 });
  const state = await page.evaluate(() => ({ state: document.body.dataset.state, error: document.body.dataset.error ?? '' }));
  check('page reports success (body[data-state=ok])', state.state === 'ok', state.error || state.state);
  const adapter = await page.locator('#adapter').textContent();
  console.log(`adapter: ${adapter}`);

  const pageChecks = await page.$$eval('#checks li', (items) => items.map((li) => ({ pass: li.dataset.pass === 'true', text: li.textContent ?? '' })));
  check('page ran its GPU-vs-CPU checks', pageChecks.length >= 3, `${pageChecks.length} checks`);
  for (const { pass, text } of pageChecks) check(`page: ${text}`, pass);

  mkdirSync('screenshots', { recursive: true });
  await page.screenshot({ path: 'screenshots/home.png', fullPage: true });
  // A WebGPU canvas reads back as zeros after presentation, so decode the screenshot instead.
  const png = await page.locator('#noise').screenshot({ path: 'screenshots/noise.png' });
  const stats = await page.evaluate(
    async ({ b64, barRows }) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const g = c.getContext('2d');
      g.drawImage(img, 0, 0);
      const { data, width, height } = g.getImageData(0, 0, img.width, img.height);
      const bar = Array.from(data.subarray(((barRows >> 1) * width + (width >> 1)) * 4, ((barRows >> 1) * width + (width >> 1)) * 4 + 4));
      let n = 0, sum = 0, sumSq = 0, grey = 0;
      for (let y = barRows + 1; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const i = (y * width + x) * 4;
          const v = data[i];
          n++; sum += v; sumSq += v * v;
          if (Math.abs(data[i] - data[i + 1]) <= 2 && Math.abs(data[i] - data[i + 2]) <= 2) grey++;
        }
      }
      const mean = sum / n;
      return { width, height, bar, mean, std: Math.sqrt(sumSq / n - mean * mean), greyFraction: grey / n };
    },
    { b64: png.toString('base64'), barRows: BAR_ROWS },
  );
  console.log(JSON.stringify(stats));
  check('canvas was drawn', (await page.locator('#noise').getAttribute('data-state')) === 'drawn');
  const [r, g, b] = stats.bar;
  check('canvas: the orange bar is orange (255, 102, 0)', Math.abs(r - 255) <= 3 && Math.abs(g - 102) <= 3 && b <= 3, `rgb ${r},${g},${b}`);
  // Uniform noise on [0, 1) drawn as 8-bit grey: mean 127.5, sd 255 / sqrt(12) = 73.6. With ~57k
  // pixels the sampling error is ~0.3, so the bounds only allow for display colour handling.
  check('canvas: the noise is grey', stats.greyFraction > 0.99, `grey fraction ${stats.greyFraction.toFixed(4)}`);
  check('canvas: noise mean and spread match uniform [0, 1)', Math.abs(stats.mean - 127.5) < 8 && Math.abs(stats.std - 73.6) < 8, `mean ${stats.mean.toFixed(1)}, sd ${stats.std.toFixed(1)}`);
  check('no console errors or page errors', problems.length === 0, problems.join(' | '));
} catch (error) {
  console.error(error);
  check('e2e script ran to completion', false, String(error));
} finally {
  const failed = results.filter((r) => !r.pass).length;
  mkdirSync('reports', { recursive: true });
  writeFileSync(
    'reports/e2e.json',
    `${JSON.stringify({ numPassedTests: results.length - failed, numFailedTests: failed, success: failed === 0 && results.length > 0, url, results }, null, 2)}\n`,
  );
  await context.close();
  await new Promise((resolve) => server.httpServer.close(resolve));
  await rm(userDataDir, { recursive: true, force: true });
  process.exitCode = failed === 0 && results.length > 0 ? 0 : 1;
}
