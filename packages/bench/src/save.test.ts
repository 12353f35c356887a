// SPDX-License-Identifier: Apache-2.0
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CaseResult } from './harness.js';
import type { BenchReport } from './report.js';
import { resultsBaseName, saveResults } from './save.js';

const result = (name: string, medianMs: number): CaseResult => ({
  suite: 'demo',
  name,
  runs: 3,
  medianMs,
  p10Ms: medianMs * 0.9,
  p90Ms: medianMs * 1.2,
  meanMs: medianMs,
  minMs: medianMs * 0.8,
});
const report: BenchReport = {
  schema: 1,
  date: '2026-11-30T04:00:00.000Z',
  node: 'v20.20.2',
  platform: 'linux-x64',
  adapter: { vendor: 'mesa', architecture: 'software', device: '', description: 'llvmpipe' },
  quick: true,
  kernelValidation: false,
  results: [result('fast <kernel>', 0.05), result('slow explanation', 2500)],
};

describe('--save', () => {
  it('names the files by date and adapter, and writes the report, a markdown table and an SVG chart', () => {
    expect(resultsBaseName(report)).toBe('2026-11-30-mesa-software-quick');
    const dir = mkdtempSync(join(tmpdir(), 'bench-save-'));
    try {
      const files = saveResults(report, dir);
      expect(files.map((f) => f.slice(dir.length + 1))).toEqual([
        '2026-11-30-mesa-software-quick.json',
        '2026-11-30-mesa-software-quick.md',
        '2026-11-30-mesa-software-quick.svg',
      ]);
      expect(JSON.parse(readFileSync(files[0]!, 'utf8'))).toEqual(report);
      const md = readFileSync(files[1]!, 'utf8');
      expect(md).toContain('mesa / software / llvmpipe');
      expect(md).toMatch(/demo\/slow explanation\s+.*2500/);
      const svg = readFileSync(files[2]!, 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain('demo/fast &lt;kernel&gt;'); // escaped
      expect(svg.match(/<rect /g)).toHaveLength(2);
      // Log axis: the 2.5 s bar is longer than the 0.05 ms one.
      const widths = [...svg.matchAll(/<rect x="\d+" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
      expect(widths[1]!).toBeGreaterThan(widths[0]!);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
