// SPDX-License-Identifier: Apache-2.0
// `--save`: a run as files a reader can open without the console — bench/results/<date>-<adapter>.json
// (the BenchReport), .md (the table) and .svg (median time per case, log scale).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CaseResult } from './harness.js';
import { formatTable, type BenchReport } from './report.js';

/** `2026-11-30-mesa-software-llvmpipe` style base name: the date and the adapter. */
export function resultsBaseName(report: Pick<BenchReport, 'date' | 'adapter' | 'quick'>): string {
  const a = report.adapter;
  const adapter = [a.vendor, a.architecture, a.device].filter(Boolean).join('-') || 'unknown-adapter';
  const slug = adapter
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
  return `${report.date.slice(0, 10)}-${slug}${report.quick ? '-quick' : ''}`;
}

/** The markdown page: environment, then the table as a fenced block (its columns are aligned). */
export function resultsMarkdown(report: BenchReport): string {
  const a = report.adapter;
  return [
    `# webxai benchmarks, ${report.date.slice(0, 10)}`,
    '',
    `Adapter: ${[a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' / ')}; Node ${report.node} on ${report.platform}; ` +
      `${report.quick ? 'quick' : 'full'} mode; kernel validation ${report.kernelValidation ? 'on' : 'off'}.`,
    '',
    '```',
    formatTable(report.results),
    '```',
    '',
  ].join('\n');
}

export const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A horizontal bar per case: median ms on a log axis, p10-p90 as a whisker. */
export function resultsSvg(report: BenchReport): string {
  const rows: readonly CaseResult[] = report.results.filter((r) => r.medianMs > 0);
  const label = 420;
  const plot = 460;
  const rowHeight = 16;
  const top = 40;
  const height = top + rows.length * rowHeight + 30;
  const times = rows.flatMap((r) => [r.p10Ms, r.p90Ms, r.medianMs]).filter((v) => v > 0);
  const lo = Math.floor(Math.log10(Math.min(...times, 1)));
  const hi = Math.ceil(Math.log10(Math.max(...times, 10)));
  const x = (ms: number) => label + ((Math.log10(Math.max(ms, 10 ** lo)) - lo) / (hi - lo)) * plot;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${label + plot + 20}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<text x="8" y="18" font-size="13">webxai benchmarks ${escapeXml(resultsBaseName(report))}: median ms per run (log scale, whisker p10-p90)</text>`,
  ];
  for (let decade = lo; decade <= hi; decade++) {
    const gx = x(10 ** decade).toFixed(1);
    parts.push(
      `<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${height - 24}" stroke="#ddd"/>`,
      `<text x="${gx}" y="${height - 10}" text-anchor="middle">${10 ** decade >= 1 ? 10 ** decade : (10 ** decade).toFixed(-decade)} ms</text>`,
    );
  }
  rows.forEach((r, i) => {
    const y = top + i * rowHeight;
    const name = `${r.suite}/${r.name}`;
    parts.push(
      `<text x="${label - 6}" y="${y + 11}" text-anchor="end">${escapeXml(name.length > 70 ? `${name.slice(0, 67)}...` : name)}</text>`,
      `<rect x="${label}" y="${y + 2}" width="${(x(r.medianMs) - label).toFixed(1)}" height="${rowHeight - 5}" fill="#4477aa"/>`,
      `<line x1="${x(r.p10Ms).toFixed(1)}" y1="${y + 7}" x2="${x(r.p90Ms).toFixed(1)}" y2="${y + 7}" stroke="#222"/>`,
    );
  });
  parts.push('</svg>', '');
  return parts.join('\n');
}

/** Writes the three files into `dir` and returns their paths. */
export function saveResults(report: BenchReport, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, resultsBaseName(report));
  const files: [string, string][] = [
    [`${base}.json`, `${JSON.stringify(report, null, 2)}\n`],
    [`${base}.md`, resultsMarkdown(report)],
    [`${base}.svg`, resultsSvg(report)],
  ];
  for (const [path, text] of files) writeFileSync(path, text);
  return files.map(([path]) => path);
}
