// SPDX-License-Identifier: Apache-2.0
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BrowserResult, BrowserRow } from './browser-cases.js';
import { browserResultsBaseName, saveBrowserResults } from './browser-save.js';

const row = (name: string, gpuRatio: number, gpuOverCpu: number): BrowserRow => ({
  name,
  family: 'gradient',
  goal: 1.15,
  bare: { kind: 'gradient', images: 1, batch: 1 },
  rounds: 3,
  bareGpuMs: 10,
  gpuMs: 10 * gpuRatio,
  gpuRatio,
  bareCpuMs: 20,
  cpuMs: (10 * gpuRatio) / gpuOverCpu,
  gpuOverCpu,
  blocks: 1,
  gpuCalls: { submits: 2, readbacks: 1 },
  bareCalls: { submits: 2, readbacks: 1 },
});
const result: BrowserResult = {
  adapter: 'google / swiftshader',
  userAgent: 'HeadlessChrome/156.0.0.0',
  rows: [row('saliency <fast>', 1.02, 0.48), { ...row('visualizeFeature', 1.36, 0.12), gpuRatioInterval: [1.2, 1.5] }],
};
const run = { date: '2026-12-03T17:00:00.000Z', quick: false, result };

describe('--browser --save', () => {
  it('names the files by date, "browser" and adapter, and writes the JSON, a markdown table and a ratio chart', () => {
    expect(browserResultsBaseName(run)).toBe('2026-12-03-browser-google-swiftshader');
    expect(browserResultsBaseName({ ...run, quick: true })).toBe('2026-12-03-browser-google-swiftshader-quick');
    const dir = mkdtempSync(join(tmpdir(), 'bench-browser-save-'));
    try {
      const files = saveBrowserResults(run, dir, { json: '{"rows":[]}\n', table: 'method  gpu/bare\nsaliency  1.02' });
      expect(files.map((f) => f.slice(dir.length + 1))).toEqual([
        '2026-12-03-browser-google-swiftshader.json',
        '2026-12-03-browser-google-swiftshader.md',
        '2026-12-03-browser-google-swiftshader.svg',
      ]);
      expect(readFileSync(files[0]!, 'utf8')).toBe('{"rows":[]}\n');
      expect(readFileSync(files[1]!, 'utf8')).toContain('saliency  1.02');
      const svg = readFileSync(files[2]!, 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain('saliency &lt;fast&gt;'); // escaped
      // Two legend swatches, then two bars per row.
      const bars = [...svg.matchAll(/<rect x="300" y="[\d.]+" width="([\d.]+)"[^>]*><title>(gpu\/\w+) ([\d.]+)<\/title>/g)];
      expect(bars.map((m) => `${m[2]} ${m[3]}`)).toEqual(['gpu/bare 1.02', 'gpu/cpu 0.48', 'gpu/bare 1.36', 'gpu/cpu 0.12']);
      // Log axis: longer bars for larger ratios; the goal lines sit at 1 and 1.15.
      const width = (i: number) => Number(bars[i]![1]);
      expect(width(2)).toBeGreaterThan(width(0));
      expect(width(1)).toBeGreaterThan(width(3));
      expect(svg.match(/stroke-dasharray/g)).toHaveLength(2);
      // The one row with an interval gets a whisker from 1.2 to 1.5, on the same log axis as the bars.
      const whiskers = [
        ...svg.matchAll(/<line x1="([\d.]+)" y1="[\d.]+" x2="([\d.]+)"[^>]*><title>gpu\/bare 95% interval ([\d.-]+)<\/title>/g),
      ];
      expect(whiskers.map((m) => m[3])).toEqual(['1.20-1.50']);
      const [from, to] = [Number(whiskers[0]![1]), Number(whiskers[0]![2])];
      expect(from).toBeLessThan(300 + width(2));
      expect(to).toBeGreaterThan(300 + width(2));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
