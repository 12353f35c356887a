// SPDX-License-Identifier: Apache-2.0
// Opens a report.html in Debian's headless Chromium (playwright-core, no browser download) and says
// what a reader would see: how many images, how many failed to render, console errors, requests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../../tools/chromium.mjs';

export interface ReportView {
  readonly images: number;
  readonly broken: number;
  readonly errors: string[];
  readonly requests: string[];
  readonly text: string;
}

export async function openReport(file: string): Promise<ReportView> {
  const profile = mkdtempSync(join(tmpdir(), 'webxai-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    offline: true,
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    const view = await page.evaluate(() => {
      const imgs = [...document.images];
      return { images: imgs.length, broken: imgs.filter((i) => !i.complete || i.naturalWidth === 0).length, text: document.body.innerText };
    });
    return { ...view, errors, requests };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
