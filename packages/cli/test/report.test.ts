// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { writeReport } from '../src/output/report.js';
import type { ImageRecord, Results } from '../src/output/results.js';
import { summarise } from '../src/output/results.js';

/** A 224x224 PNG of smooth colour bands plus noise: about as compressible as a real overlay. */
async function overlayPng(file: string, seed: number): Promise<void> {
  const data = Buffer.alloc(224 * 224 * 3);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = (((i / 3) % 224) + (s >>> 27)) & 255;
  }
  await sharp(data, { raw: { width: 224, height: 224, channels: 3 } })
    .png()
    .toFile(file);
}

function image(id: string): ImageRecord {
  return {
    id,
    file: `${id}.png`,
    status: 'ok',
    source: { width: 224, height: 224, format: 'png', notes: [] },
    input: `images/${id}/input.png`,
    prediction: [{ index: 0, label: 'cat', probability: 0.9 }],
    methods: [{ method: 'saliency', status: 'ok', path: 'cpu', timeMs: 5, overlay: `images/${id}/saliency.png` }],
  };
}

function results(images: ImageRecord[]): Results {
  return {
    tool: 'webxai',
    format: 1,
    adapter: 'test',
    backend: 'cpu',
    preprocess: 'unit',
    resize: 'crop',
    target: 'predicted',
    model: {
      spec: 'test',
      kind: 'layers-model',
      teachableMachine: false,
      input: { width: 224, height: 224, channels: 3 },
      labels: ['cat'],
    },
    methods: ['saliency'],
    methodOptions: {},
    seed: 0,
    images,
    summary: summarise(images, 10),
  };
}

describe('report.html', () => {
  it('inlines images as WebP (far smaller than the PNG files) and pages a big run, removing stale pages', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'webxai-report-'));
    const ids = ['a', 'b', 'c', 'd', 'e'];
    for (const [k, id] of ids.entries()) {
      mkdirSync(join(dir, 'images', id), { recursive: true });
      await overlayPng(join(dir, 'images', id, 'input.png'), 2 * k + 1);
      await overlayPng(join(dir, 'images', id, 'saliency.png'), 2 * k + 2);
    }
    writeFileSync(join(dir, 'report-4.html'), 'stale page of a longer run');
    await writeReport(dir, results(ids.map(image)), 2);

    const pages = ['report.html', 'report-2.html', 'report-3.html'].map((f) => readFileSync(join(dir, f), 'utf8'));
    expect(existsSync(join(dir, 'report-4.html'))).toBe(false);
    expect(pages.map((p) => p.match(/<section class="image"/g)?.length)).toEqual([2, 2, 1]);
    expect(pages[0]).toMatch(/page 1 of 3: <b>1<\/b> <a href="report-2.html">2<\/a> <a href="report-3.html">3<\/a>/);
    expect(pages[2]).toMatch(/5 images: 5 fully explained/); // every page has the whole run's summary
    expect(pages.join('').match(/src="data:image\/webp;base64,/g)).toHaveLength(10);
    expect(pages.join('')).not.toMatch(/data:image\/png/);
    const pngBytes = ids.reduce(
      (n, id) => n + statSync(join(dir, 'images', id, 'input.png')).size + statSync(join(dir, 'images', id, 'saliency.png')).size,
      0,
    );
    const htmlBytes = pages.reduce((n, p) => n + p.length, 0);
    console.log(`report pages ${htmlBytes} bytes for ${pngBytes} bytes of PNG`);
    expect(htmlBytes).toBeLessThan(pngBytes / 3);
  });

  it('a run that fits one page has no page links', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'webxai-report-'));
    await writeReport(dir, results([image('a')]));
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).not.toMatch(/class="pages"/);
    expect(html).toMatch(/no image/); // missing files are shown as such, not as broken images
  });
});
