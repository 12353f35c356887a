// SPDX-License-Identifier: Apache-2.0
// Smoke test of examples/index.html: its markup and its module script run in the test page.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '../src/index.js';
import type { XaiCompare, XaiExplainer, XaiHeatmap } from '../src/index.js';

beforeAll(async () => {
  tf.enableProdMode();
  await tf.setBackend('cpu');
});

describe('examples/index.html', () => {
  it('every element on the page renders, without xai-error', async () => {
    // ?raw: the file as written (Vite's dev server rewrites inline module scripts when serving HTML).
    const { default: html } = (await import(/* @vite-ignore */ `${'/examples/index.html'}?raw`)) as { default: string };
    const doc = new DOMParser().parseFromString(html, 'text/html');
    const main = doc.querySelector('main')!;
    const script = doc.querySelector('script[type=module]')!.textContent;
    expect(script).toContain("import '../src/index.ts';");
    const errors: string[] = [];
    document.addEventListener('xai-error', (e) => errors.push((e as CustomEvent<{ error: Error }>).detail.error.message));
    const explained = new Promise((resolve) => document.addEventListener('xai-explained', resolve, { once: true }));
    document.body.append(document.importNode(main, true));
    // The elements are registered by this test's import; run the rest of the page's script as a module.
    const url = URL.createObjectURL(new Blob([script.replace("import '../src/index.ts';", '')], { type: 'text/javascript' }));
    await import(/* @vite-ignore */ url);
    URL.revokeObjectURL(url);
    await explained;
    const heatmap = document.querySelector<XaiHeatmap>('#heatmap')!;
    const compare = document.querySelector<XaiCompare>('#compare')!;
    const explainer = document.querySelector<XaiExplainer>('#explainer')!;
    await Promise.all([heatmap.renderComplete, compare.renderComplete, explainer.settled]);
    expect(errors).toEqual([]);
    expect(heatmap.state).toBe('ready');
    expect(heatmap.info!.clipValue).toBeGreaterThan(0);
    expect([...compare.shadowRoot!.querySelectorAll('xai-heatmap')].map((h) => h.state)).toEqual(['ready', 'ready']);
    expect(compare.sharedRange).toBeGreaterThan(0);
    expect(document.querySelector('#curve')!.shadowRoot!.querySelectorAll('polyline')).toHaveLength(2);
    expect(explainer.state).toBe('done');
    expect(explainer.predictions.map((p) => p.label).sort()).toEqual(['circle', 'square', 'stripes']);
    expect(document.querySelector('#log')!.textContent).toMatch(/^explained saliency in \d+ ms$/);
    // The page's controls drive the element.
    const mode = document.querySelector<HTMLSelectElement>('#mode')!;
    mode.value = 'side-by-side';
    mode.dispatchEvent(new Event('change'));
    await heatmap.renderComplete;
    expect(heatmap.info!.outWidth).toBe(192);
    document.querySelector('main')!.remove();
  });
});
