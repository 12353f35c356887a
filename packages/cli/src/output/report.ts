// SPDX-License-Identifier: Apache-2.0
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageRecord, MethodRecord, Results } from './results.js';
import { writeAtomic } from './files.js';

export const REPORT_FILE = 'report.html';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pct = (p: number) => `${(p * 100).toFixed(1)}%`;
const ms = (t: number | undefined) => (t === undefined ? '' : t >= 1000 ? `${(t / 1000).toFixed(1)} s` : `${Math.round(t)} ms`);

/** A PNG in the output folder as a data: URL (the report needs no files and no network). */
function inline(dir: string, rel: string | undefined): string | undefined {
  if (!rel || !existsSync(join(dir, rel))) return undefined;
  return `data:image/png;base64,${readFileSync(join(dir, rel)).toString('base64')}`;
}

function figure(src: string | undefined, alt: string, caption: string): string {
  const img = src ? `<img src="${src}" alt="${escape(alt)}">` : `<div class="missing">no image</div>`;
  return `<figure>${img}<figcaption>${caption}</figcaption></figure>`;
}

function methodCell(dir: string, image: ImageRecord, m: MethodRecord): string {
  if (m.status === 'failed') return `<figure class="failed"><div class="missing">failed</div><figcaption><b>${escape(m.method)}</b><br>${escape(m.error ?? '')}</figcaption></figure>`;
  const scores = m.scores ? Object.entries(m.scores).map(([k, v]) => `<br>${escape(k)} ${v.toFixed(3)}`).join('') : '';
  const warnings = (m.warnings ?? []).map((w) => `<br><span class="warning">⚠ ${escape(w)}</span>`).join('');
  return figure(inline(dir, m.overlay), `${m.method} attribution for ${image.file}`, `<b>${escape(m.method)}</b> ${ms(m.timeMs)} (${escape(m.path ?? '')})${scores}${warnings}`);
}

function imageRow(dir: string, image: ImageRecord): string {
  if (image.status === 'failed') {
    return `<section class="image failed"><h2>${escape(image.file)}</h2><p class="error">skipped: ${escape(image.error ?? '')}</p></section>`;
  }
  const top = (image.prediction ?? []).map((c) => `${escape(c.label)} ${pct(c.probability)}`).join(', ');
  const notes = image.source?.notes.length ? ` · ${escape(image.source.notes.join(', '))}` : '';
  const source = image.source ? `${image.source.format} ${image.source.width}x${image.source.height}${notes}` : '';
  const target = image.target ? `explained: <b>${escape(image.target.label)}</b> (${pct(image.target.probability)})` : '';
  return `<section class="image"><h2>${escape(image.file)}</h2>
<p class="meta">predicted: ${top} · ${target} · ${source}</p>
<div class="row">${figure(inline(dir, image.input), `input ${image.file}`, 'input')}${image.methods.map((m) => methodCell(dir, image, m)).join('')}</div></section>`;
}

function timingTable(results: Results): string {
  const rows = results.methods.map((method) => {
    const done = results.images.flatMap((i) => i.methods.filter((m) => m.method === method && m.status === 'ok'));
    const failed = results.images.flatMap((i) => i.methods.filter((m) => m.method === method && m.status === 'failed')).length;
    const mean = done.length ? done.reduce((s, m) => s + (m.timeMs ?? 0), 0) / done.length : undefined;
    const scoreNames = [...new Set(done.flatMap((m) => Object.keys(m.scores ?? {})))];
    const scores = scoreNames.map((k) => `${escape(k)} ${(done.reduce((s, m) => s + (m.scores?.[k] ?? 0), 0) / done.length).toFixed(3)}`).join(', ');
    return `<tr><td>${escape(method)}</td><td>${done.length}</td><td>${failed}</td><td>${ms(mean)}</td><td>${scores || '—'}</td></tr>`;
  });
  return `<table><thead><tr><th>method</th><th>explained</th><th>failed</th><th>mean time</th><th>trust metrics (mean)</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** report.html: every image with its maps side by side, predictions, timings, failures; self-contained. */
export function renderReport(dir: string, results: Results): string {
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
${results.images.map((image) => imageRow(dir, image)).join('\n')}
</body></html>
`;
}

/** Writes report.html into the output folder (atomically). */
export function writeReport(dir: string, results: Results): void {
  writeAtomic(join(dir, REPORT_FILE), renderReport(dir, results));
}
