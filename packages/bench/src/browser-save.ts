// SPDX-License-Identifier: Apache-2.0
// `--browser --save`: the browser run as files a reader can open without the console, like the Node
// run's (save.ts): bench/results/<date>-browser-<adapter>.json (the page's result), .md (the table)
// and .svg (per method its gpu/bare and gpu/cpu ratios against the goals 1.15 and 1).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserResult, BrowserRow } from './browser-cases.js';
import { escapeXml } from './save.js';

/** What a saved browser run is besides the page's result: when it ran and in which mode. */
export interface BrowserRun {
  readonly date: string;
  readonly quick: boolean;
  readonly result: BrowserResult;
}

/** `2026-12-03-browser-google-swiftshader` style base name: the date, "browser" and the adapter. */
export function browserResultsBaseName(
  run: Pick<BrowserRun, 'date' | 'quick'> & { readonly result: Pick<BrowserResult, 'adapter'> },
): string {
  const slug = run.result.adapter
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return `${run.date.slice(0, 10)}-browser-${slug}${run.quick ? '-quick' : ''}`;
}

/** The goals the chart draws as lines: gpu/bare at most 1.15, gpu/cpu below 1. */
const GOALS = [
  { ratio: 1, label: '1 (gpu/cpu goal: below)' },
  { ratio: 1.15, label: '1.15 (gpu/bare goal)' },
] as const;

const SERIES = [
  { key: 'gpuRatio', label: 'gpu/bare', colour: '#4477aa' },
  { key: 'gpuOverCpu', label: 'gpu/cpu', colour: '#ee7733' },
] as const;

/** gpu/bare's 95% interval as a whisker across its bar. */
function intervalWhisker([low, high]: readonly [number, number], x: (ratio: number) => number, y: number): string {
  const [x1, x2] = [x(low).toFixed(1), x(high).toFixed(1)];
  return `<line x1="${x1}" y1="${y.toFixed(1)}" x2="${x2}" y2="${y.toFixed(1)}" stroke="#222"><title>gpu/bare 95% interval ${low.toFixed(2)}-${high.toFixed(2)}</title></line>`;
}

/** Two bars per row (gpu/bare with its 95% interval as a whisker, gpu/cpu) on a log axis, with the goals as vertical lines. */
export function browserResultsSvg(run: BrowserRun): string {
  const rows: readonly BrowserRow[] = run.result.rows.filter((r) => r.gpuRatio > 0 && r.gpuOverCpu > 0);
  const label = 300;
  const plot = 460;
  const barHeight = 7;
  const rowHeight = 2 * barHeight + 6;
  const top = 56;
  const height = top + rows.length * rowHeight + 30;
  const ratios = rows.flatMap((r) => SERIES.map((s) => r[s.key]));
  const lo = Math.floor(Math.log10(Math.min(...ratios, 0.5)));
  const hi = Math.ceil(Math.log10(Math.max(...ratios, 2)));
  const x = (ratio: number) => label + ((Math.log10(Math.max(ratio, 10 ** lo)) - lo) / (hi - lo)) * plot;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${label + plot + 20}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<text x="8" y="18" font-size="13">webxai browser benchmark ${escapeXml(browserResultsBaseName(run))}: ratios per method (log scale)</text>`,
    ...SERIES.map(
      (s, i) =>
        `<rect x="${8 + i * 90}" y="28" width="10" height="${barHeight}" fill="${s.colour}"/><text x="${22 + i * 90}" y="35">${s.label}</text>`,
    ),
  ];
  for (let decade = lo; decade <= hi; decade++) {
    const gx = x(10 ** decade).toFixed(1);
    parts.push(
      `<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${height - 24}" stroke="#ddd"/>`,
      `<text x="${gx}" y="${height - 10}" text-anchor="middle">${10 ** decade >= 1 ? 10 ** decade : (10 ** decade).toFixed(-decade)}</text>`,
    );
  }
  for (const goal of GOALS) {
    const gx = x(goal.ratio).toFixed(1);
    parts.push(
      `<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${height - 24}" stroke="#aa3377" stroke-dasharray="3,2"><title>${goal.label}</title></line>`,
    );
  }
  rows.forEach((r, i) => {
    const y = top + i * rowHeight;
    const name = r.name.length > 48 ? `${r.name.slice(0, 45)}...` : r.name;
    parts.push(`<text x="${label - 6}" y="${y + barHeight + 4}" text-anchor="end">${escapeXml(name)}</text>`);
    SERIES.forEach((s, j) => {
      const value = r[s.key];
      parts.push(
        `<rect x="${label}" y="${y + j * barHeight}" width="${(x(value) - label).toFixed(1)}" height="${barHeight - 1}" fill="${s.colour}"><title>${s.label} ${value.toFixed(2)}</title></rect>`,
      );
    });
    if (r.gpuRatioInterval) parts.push(intervalWhisker(r.gpuRatioInterval, x, y + barHeight / 2));
  });
  parts.push('</svg>', '');
  return parts.join('\n');
}

/** Writes the run's JSON (`json`, as printed), the markdown table (`table`) and the chart into `dir`; returns their paths. */
export function saveBrowserResults(run: BrowserRun, dir: string, texts: { readonly json: string; readonly table: string }): string[] {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, browserResultsBaseName(run));
  const files: [string, string][] = [
    [`${base}.json`, texts.json],
    [`${base}.md`, `# webxai browser benchmark\n\n\`\`\`\n${texts.table}\n\`\`\`\n`],
    [`${base}.svg`, browserResultsSvg(run)],
  ];
  for (const [path, text] of files) writeFileSync(path, text);
  return files.map(([path]) => path);
}
