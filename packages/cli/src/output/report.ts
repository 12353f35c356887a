// SPDX-License-Identifier: Apache-2.0
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { ImageRecord, MethodRecord, Results } from './results.js';
import { writeAtomic } from './files.js';

export const REPORT_FILE = 'report.html';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pct = (p: number) => `${(p * 100).toFixed(1)}%`;
const ms = (t: number | undefined) => (t === undefined ? '' : t >= 1000 ? `${(t / 1000).toFixed(1)} s` : `${Math.round(t)} ms`);

/** Inlined images by their path in the output folder (data: URLs: the report needs no files and no network). */
type Inlined = ReadonlyMap<string, string>;

/**
 * WebP quality of the inlined images. The PNG files next to results.json stay lossless; the report
 * only shows them at 180 px, where a lossy WebP is indistinguishable and ~10x smaller (a 224x224
 * overlay: ~150 KB PNG, ~15 KB WebP), so a report of many images stays small enough to open.
 */
const REPORT_WEBP_QUALITY = 80;

/** Every image the report shows, as WebP data: URLs (missing files are left out: shown as 'no image'). */
async function inlineImages(dir: string, images: readonly ImageRecord[]): Promise<Inlined> {
  const files = images
    .flatMap((i) => [i.input, ...i.methods.map((m) => m.overlay)])
    .filter((f): f is string => !!f && existsSync(join(dir, f)));
  const inlined = new Map<string, string>();
  for (const file of files) {
    const webp = await sharp(join(dir, file)).webp({ quality: REPORT_WEBP_QUALITY }).toBuffer();
    inlined.set(file, `data:image/webp;base64,${webp.toString('base64')}`);
  }
  return inlined;
}

function inline(images: Inlined, rel: string | undefined): string | undefined {
  return rel === undefined ? undefined : images.get(rel);
}

function figure(src: string | undefined, alt: string, caption: string): string {
  const img = src ? `<img src="${src}" alt="${escape(alt)}">` : `<div class="missing">no image</div>`;
  return `<figure>${img}<figcaption>${caption}</figcaption></figure>`;
}

function methodCell(inlined: Inlined, image: ImageRecord, m: MethodRecord): string {
  if (m.status === 'failed')
    return `<figure class="failed"><div class="missing">failed</div><figcaption><b>${escape(m.method)}</b><br>${escape(m.error ?? '')}</figcaption></figure>`;
  const scores = m.scores
    ? Object.entries(m.scores)
        .map(([k, v]) => `<br>${escape(k)} ${v.toFixed(3)}`)
        .join('')
    : '';
  const warnings = (m.warnings ?? []).map((w) => `<br><span class="warning">⚠ ${escape(w)}</span>`).join('');
  return figure(
    inline(inlined, m.overlay),
    `${m.method} attribution for ${image.file}`,
    `<b>${escape(m.method)}</b> ${ms(m.timeMs)} (${escape(m.path ?? '')})${scores}${warnings}`,
  );
}

function imageRow(inlined: Inlined, image: ImageRecord): string {
  if (image.status === 'failed') {
    return `<section class="image failed"><h2>${escape(image.file)}</h2><p class="error">skipped: ${escape(image.error ?? '')}</p></section>`;
  }
  const top = (image.prediction ?? []).map((c) => `${escape(c.label)} ${pct(c.probability)}`).join(', ');
  const notes = image.source?.notes.length ? ` · ${escape(image.source.notes.join(', '))}` : '';
  const source = image.source ? `${image.source.format} ${image.source.width}x${image.source.height}${notes}` : '';
  const target = image.target ? `explained: <b>${escape(image.target.label)}</b> (${pct(image.target.probability)})` : '';
  return `<section class="image"><h2>${escape(image.file)}</h2>
<p class="meta">predicted: ${top} · ${target} · ${source}</p>
<div class="row">${figure(inline(inlined, image.input), `input ${image.file}`, 'input')}${image.methods.map((m) => methodCell(inlined, image, m)).join('')}</div></section>`;
}

function timingTable(results: Results): string {
  const rows = results.methods.map((method) => {
    const done = results.images.flatMap((i) => i.methods.filter((m) => m.method === method && m.status === 'ok'));
    const failed = results.images.flatMap((i) => i.methods.filter((m) => m.method === method && m.status === 'failed')).length;
    const mean = done.length ? done.reduce((s, m) => s + (m.timeMs ?? 0), 0) / done.length : undefined;
    const scoreNames = [...new Set(done.flatMap((m) => Object.keys(m.scores ?? {})))];
    const scores = scoreNames
      .map((k) => `${escape(k)} ${(done.reduce((s, m) => s + (m.scores?.[k] ?? 0), 0) / done.length).toFixed(3)}`)
      .join(', ');
    return `<tr><td>${escape(method)}</td><td>${done.length}</td><td>${failed}</td><td>${ms(mean)}</td><td>${scores || '—'}</td></tr>`;
  });
  return `<table><thead><tr><th>method</th><th>explained</th><th>failed</th><th>mean time</th><th>trust metrics (mean)</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Images per report page: a big run gets report.html, report-2.html, ... linked from each other. */
export const REPORT_PAGE_SIZE = 100;

/** File name of report page `index` (0-based): report.html, report-2.html, ... */
export const reportPageFile = (index: number) => (index === 0 ? REPORT_FILE : `report-${index + 1}.html`);

function pageLinks(index: number, count: number): string {
  if (count <= 1) return '';
  const links = Array.from({ length: count }, (_, i) => (i === index ? `<b>${i + 1}</b>` : `<a href="${reportPageFile(i)}">${i + 1}</a>`));
  return `<nav class="pages">page ${index + 1} of ${count}: ${links.join(' ')}</nav>`;
}

/**
 * One report page: the run's summary and timing table, then `images` (default: all) with their
 * maps side by side, predictions, timings, failures and warnings; self-contained.
 */
export function renderReport(inlined: Inlined, results: Results, images: readonly ImageRecord[] = results.images, nav = ''): string {
  const s = results.summary;
  const model = results.model;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>webxai report: ${escape(model.spec)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #222; }
h1 { font-size: 1.4rem; } h2 { font-size: 1rem; margin: 0 0 .3rem; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; } td, th { border: 1px solid #ccc; padding: .25rem .6rem; text-align: left; }
.image { border-top: 1px solid #ddd; padding: .8rem 0; } .meta { margin: 0 0 .5rem; color: #555; }
.row { display: flex; flex-wrap: wrap; gap: .6rem; }
figure { margin: 0; width: 180px; } figure img { width: 180px; height: auto; image-rendering: pixelated; display: block; }
figcaption { font-size: 12px; } .missing { width: 180px; height: 180px; background: #eee; display: grid; place-items: center; color: #a00; }
.failed .error, .error { color: #a00; } .warning { color: #8a5a00; }
</style></head><body>
<h1>webxai report</h1>
<p>model <b>${escape(model.spec)}</b> (${escape(model.kind)}${model.teachableMachine ? ', Teachable Machine' : ''}; input ${model.input.width}x${model.input.height}x${model.input.channels}; preprocess ${escape(results.preprocess)}; resize ${escape(results.resize)}) ·
target ${escape(results.target)} · backend ${escape(results.backend)} on ${escape(results.adapter)}</p>
<p>${s.images} images: ${s.ok} fully explained, ${s.failed} skipped, ${s.failedMethods} method failures · ${ms(s.totalMs)} in all</p>
${timingTable(results)}
${nav}
${images.map((image) => imageRow(inlined, image)).join('\n')}
${nav}
</body></html>
`;
}

/**
 * Writes report.html into the output folder (atomically), its images inlined as WebP; runs of more
 * than `pageSize` images get more pages (report-2.html, ...), and pages of an earlier, longer run
 * are removed.
 */
export async function writeReport(dir: string, results: Results, pageSize = REPORT_PAGE_SIZE): Promise<void> {
  const count = Math.max(1, Math.ceil(results.images.length / pageSize));
  for (let index = 0; index < count; index++) {
    const images = results.images.slice(index * pageSize, (index + 1) * pageSize);
    writeAtomic(join(dir, reportPageFile(index)), renderReport(await inlineImages(dir, images), results, images, pageLinks(index, count)));
  }
  for (const file of readdirSync(dir)) {
    const page = /^report-(\d+)\.html$/.exec(file);
    if (page && Number(page[1]) > count) rmSync(join(dir, file));
  }
}
