// SPDX-License-Identifier: Apache-2.0
// e2e checks of the trust view, the shipped shapes model, the "what did this layer learn" view, a
// GraphModel by URL and a grey ONNX model, run by screenshot.mjs on the same page (E2E_ONLY selects
// sections). Each section starts and ends on the shipped MNIST model. Screenshots go to screenshots/.

const demo = (page, fn, arg) => page.evaluate(fn, arg);

/** Resource counts while nothing runs (every view settled). */
export const resources = (page) =>
  page.evaluate(async () => {
    const d = window.webxaiDemo;
    await d.shown;
    await d.trustView.settled;
    await d.layerView?.settled;
    return { tensors: d.tensors(), gpuBuffers: d.gpuBuffers(), webxaiBuffers: d.webxaiBuffers() };
  });

const same = (a, b) => a.tensors === b.tensors && a.gpuBuffers === b.gpuBuffers && a.webxaiBuffers === b.webxaiBuffers;

/** Runs the trust table (started from the keyboard) and waits for it to end. */
async function scoreMaps(page, timeout = 600_000) {
  await page.locator('#trust-run').focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.webxaiDemo.trust.state !== 'idle', null, { timeout: 10_000 });
  await page.waitForFunction(() => !['running', 'idle'].includes(window.webxaiDemo.trust.state), null, { timeout });
  return demo(page, () => {
    const t = window.webxaiDemo.trust;
    const table = document.querySelector('#trust-table');
    const curves = Object.fromEntries(
      ['deletion', 'insertion'].map((m) => {
        const el = document.querySelector(`#${m}-curve`);
        return [
          m,
          {
            lines: el.shadowRoot.querySelectorAll('polyline').length,
            aucs: el.aucs,
            label: el.shadowRoot.querySelector('svg')?.getAttribute('aria-label') ?? '',
          },
        ];
      }),
    );
    return {
      ...JSON.parse(JSON.stringify(t)),
      tableCells: [...table.querySelectorAll('tbody td')].map((td) => td.textContent),
      caption: table.caption?.textContent ?? '',
      headers: [...table.querySelectorAll('thead th')].map((th) => th.getAttribute('aria-label') ?? th.textContent),
      curves,
    };
  });
}

/** Checks a finished trust table: every cell a number, curves drawn, curve areas = table scores. */
function checkTable(check, name, t, { methods, metrics }) {
  const numeric = t.tableCells.filter((c) => Number.isFinite(Number(c)));
  check(`${name}: the trust report finished`, t.state === 'done', `${t.state}${t.error ? `: ${t.error}` : ''}`);
  check(
    `${name}: the table scores every method by every metric (${methods} x ${metrics})`,
    t.cells.length === methods * metrics && t.cells.every((c) => Number.isFinite(c.score)),
    `${t.cells.length} scores`,
  );
  check(
    `${name}: the table shows a number in every cell`,
    numeric.length === methods * metrics,
    `${numeric.length} of ${t.tableCells.length} cells: ${t.tableCells.join(' ')}`,
  );
  for (const metric of ['deletion', 'insertion']) {
    const curve = t.curves[metric];
    const scores = t.cells.filter((c) => c.metric === metric).map((c) => c.score);
    const gap = Math.max(...curve.aucs.map((a, i) => Math.abs(a - scores[i])));
    check(
      `${name}: <xai-curve> draws one ${metric} curve per method`,
      curve.lines === methods && curve.aucs.length === methods,
      `${curve.lines} lines`,
    );
    check(
      `${name}: each ${metric} curve's area equals the table's ${metric} score (< 1e-4)`,
      gap < 1e-4,
      `max |diff| ${gap.toExponential(2)}`,
    );
    check(`${name}: the ${metric} chart has a text alternative with the areas`, /AUC/.test(curve.label), curve.label.slice(0, 90));
  }
}

/** 1. The trust view on the first MNIST digit: table, curves, progress, cancel, no leaks. */
export async function trustChecks(page, { check, seconds }) {
  const before = await resources(page);
  const t = await scoreMaps(page);
  console.log(`trust (MNIST) after ${seconds()} s: ${t.cells.map((c) => `${c.method}/${c.metric} ${c.score.toFixed(3)}`).join(', ')}`);
  checkTable(check, 'trust (MNIST)', t, { methods: 4, metrics: 5 });
  check(
    'trust (MNIST): the table has a caption and its headers say which way is better',
    /scored/.test(t.caption) && t.headers.some((h) => /lower is better/.test(h)),
    t.headers.join(' | '),
  );
  // Saliency, IG, Grad-CAM and occlusion on a clear digit: the curves mean something only if removing
  // the most relevant pixels hurts more than adding them back first does.
  const mean = (metric) => t.cells.filter((c) => c.metric === metric).reduce((s, c) => s + c.score, 0) / 4;
  check(
    'trust (MNIST): mean deletion AUC < mean insertion AUC',
    mean('deletion') < mean('insertion'),
    `${mean('deletion').toFixed(3)} < ${mean('insertion').toFixed(3)}`,
  );
  await page.locator('#trust-panel').screenshot({ path: 'screenshots/trust.png' });
  const after = await resources(page);
  check(
    'trust (MNIST): no tensor or GPU-buffer leak after a report',
    same(before, after),
    `${JSON.stringify(before)} -> ${JSON.stringify(after)}`,
  );
  // Progress and Cancel.
  await page.locator('#trust-methods input[value=smoothgrad]').check();
  await page.locator('#trust-run').click();
  await page.waitForFunction(() => window.webxaiDemo.trust.progress && !document.querySelector('#trust-progress').hidden, null, {
    timeout: 30_000,
  });
  const progress = await demo(page, () => ({
    text: window.webxaiDemo.trust.progress,
    status: document.querySelector('#trust-status').textContent,
  }));
  await page.locator('#trust-cancel').click();
  await page.waitForFunction(() => window.webxaiDemo.trust.state !== 'running', null, { timeout: 120_000 });
  const cancelled = await demo(page, () => window.webxaiDemo.trust.state);
  check(
    'trust: progress is shown while it runs',
    /^\d+\/5: /.test(progress.text) && /Scoring method/.test(progress.status),
    `${progress.text}; ${progress.status}`,
  );
  check('trust: Cancel stops a running report', cancelled === 'cancelled', cancelled);
  const afterCancel = await resources(page);
  check(
    'trust: no tensor or GPU-buffer leak after a cancelled report',
    same(before, afterCancel),
    `${JSON.stringify(before)} -> ${JSON.stringify(afterCancel)}`,
  );
  await page.locator('#trust-methods input[value=smoothgrad]').uncheck();
}

/** Clicks a model button and waits until every view has shown the model's first picture. */
export async function pickShippedModel(page, button, name) {
  await page.locator(button).click();
  await page.waitForFunction((n) => document.body.dataset.model !== 'loading' && window.webxaiDemo.model?.name.startsWith(n), name, {
    timeout: 120_000,
  });
  await page.evaluate(() => window.webxaiDemo.shown);
}

/** 2. The shipped shapes model with its held-out samples; the trust table adds pointing game and relevance mass. */
export async function shapesChecks(page, { check, seconds }) {
  await pickShippedModel(page, '#use-shapes', 'Shapes');
  const loaded = await demo(page, () => ({
    model: window.webxaiDemo.model,
    picture: window.webxaiDemo.digit,
    samples: [...document.querySelectorAll('#samples button')].map((b) => b.getAttribute('aria-label')),
    top: document.querySelector('xai-explainer').predictions[0]?.label,
    grid: window.webxaiDemo.grid.map((r) => `${r.method}:${r.state}:${r.path}`),
    crop: document.querySelector('#crop-caption').textContent,
  }));
  console.log(`shapes model shown after ${seconds()} s: ${loaded.picture}, read as ${loaded.top}`);
  check(
    'shapes: the shipped shapes CNN loads (64 x 64 x 3, 4 labels)',
    loaded.model.height === 64 && loaded.model.channels === 3 && loaded.model.labels.join() === 'circle,square,triangle,cross',
    JSON.stringify(loaded.model),
  );
  check(
    'shapes: 8 held-out samples are offered, two of each class',
    loaded.samples.length === 8 &&
      ['circle', 'square', 'triangle', 'cross'].every((c) => loaded.samples.filter((s) => s.endsWith(`a ${c})`)).length === 2),
    loaded.samples.join(' | '),
  );
  check(
    'shapes: the first sample is read as its true class',
    loaded.picture.endsWith(`(a ${loaded.top})`),
    `${loaded.picture}: ${loaded.top}`,
  );
  check(
    'shapes: every grid method explains it on the gpu path',
    loaded.grid.every((g) => g.endsWith(':done:gpu')),
    loaded.grid.join(' '),
  );
  check(
    'shapes: the sample is used as is (no crop, no resize)',
    /64 x 64 → crop 64 x 64 at \(0, 0\) → 64 x 64/.test(loaded.crop),
    loaded.crop,
  );
  // Another sample: the triangle (the views follow; its mask goes to the trust view).
  const triangle = page.locator('#samples button[aria-label$="a triangle)"]').first();
  await triangle.click();
  await page.waitForFunction(() => window.webxaiDemo.digit.endsWith('a triangle)'), null, { timeout: 10_000 });
  await page.evaluate(() => window.webxaiDemo.shown);
  const top = await demo(page, () => document.querySelector('xai-explainer').predictions[0]?.label);
  check('shapes: a triangle sample is read as a triangle', top === 'triangle', top);
  await page.locator('main').screenshot({ path: 'screenshots/shapes.png' });
  const before = await resources(page);
  const t = await scoreMaps(page);
  console.log(`trust (shapes) after ${seconds()} s: ${t.cells.map((c) => `${c.method}/${c.metric} ${c.score.toFixed(3)}`).join(', ')}`);
  checkTable(check, 'trust (shapes)', t, { methods: 4, metrics: 7 });
  const pointing = t.cells.filter((c) => c.metric === 'pointing-game');
  const mass = t.cells.filter((c) => c.metric === 'relevance-mass');
  check(
    'trust (shapes): the ground-truth mask adds pointing game (0 or 1 per method) and relevance mass (in [0, 1])',
    pointing.length === 4 &&
      pointing.every((c) => c.score === 0 || c.score === 1) &&
      mass.length === 4 &&
      mass.every((c) => c.score >= 0 && c.score <= 1),
    [...pointing, ...mass].map((c) => `${c.method}/${c.metric} ${c.score.toFixed(3)}`).join(', '),
  );
  const share = await demo(page, () => window.webxaiDemo.maskShare());
  const bestMass = Math.max(...mass.map((c) => c.score));
  check(
    "trust (shapes): some method puts more relevance on the object than the object's share of the image",
    bestMass > share,
    `best relevance mass ${bestMass.toFixed(3)} vs object share ${share.toFixed(3)}`,
  );
  await page.locator('#trust-panel').screenshot({ path: 'screenshots/trust-shapes.png' });
  const after = await resources(page);
  check(
    'trust (shapes): no tensor or GPU-buffer leak after a report',
    same(before, after),
    `${JSON.stringify(before)} -> ${JSON.stringify(after)}`,
  );
  await pickShippedModel(page, '#use-mnist', 'MNIST');
}

/** The layer view's grids as drawn: tile count, channels, values, and the pixel spread of each tile. */
const layerGrids = (page) =>
  page.evaluate(() => {
    // One scratch canvas for every read-back (willReadFrequently: no Canvas2D warning per tile).
    const scratch = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
    const grid = (id) => {
      const el = document.querySelector(id);
      const tiles = [...el.shadowRoot.querySelectorAll('[part=tile]')];
      const spread = [...el.shadowRoot.querySelectorAll('canvas[data-index]')].map((c) => {
        scratch.canvas.width = c.width;
        scratch.canvas.height = c.height;
        scratch.drawImage(c, 0, 0);
        const { data } = scratch.getImageData(0, 0, c.width, c.height);
        let lo = 255,
          hi = 0;
        for (let i = 0; i < data.length; i += 4)
          ((lo = Math.min(lo, data[i], data[i + 1], data[i + 2])), (hi = Math.max(hi, data[i], data[i + 1], data[i + 2])));
        return hi - lo;
      });
      return {
        hidden: el.hidden,
        tiles: tiles.length,
        labels: tiles.map((t) => t.getAttribute('aria-label')),
        spread,
        channels: el.tiles.map((t) => t.channel),
        values: el.tiles.map((t) => t.value),
      };
    };
    return {
      stats: JSON.parse(JSON.stringify(window.webxaiDemo.layers)),
      activations: grid('#layer-activations'),
      visualised: grid('#layer-visualised'),
    };
  });

/** Visualises the top `count` channels in `steps` steps and waits for the end. */
async function visualise(page, count, steps) {
  await page.selectOption('#visualise-count', String(count));
  await page.fill('#visualise-steps', String(steps));
  await page.locator('#visualise-run').click();
  await page.waitForFunction(() => window.webxaiDemo.layers.visual.state === 'running', null, { timeout: 10_000 });
  await page.waitForFunction(() => window.webxaiDemo.layers.visual.state !== 'running', null, { timeout: 600_000 });
  await page.evaluate(() => window.webxaiDemo.layerView.settled);
  return layerGrids(page);
}

/** Checks one model's layer view: activations grid, visualisation progress, rising objective, no leaks. */
async function checkLayerView(page, { check, seconds }, name, { steps }) {
  await page.evaluate(() => window.webxaiDemo.layerView.settled);
  const shown = await layerGrids(page);
  const a = shown.stats.activations;
  const k = a?.shape?.[3];
  check(
    `layers (${name}): listLayers fills the picker`,
    shown.stats.layers.length >= 2 && shown.stats.layers.includes(shown.stats.layer),
    shown.stats.layers.join(', '),
  );
  check(
    `layers (${name}): the activations grid shows one tile per channel of ${shown.stats.layer}`,
    k > 0 && shown.activations.tiles === k && shown.activations.labels.every((l) => /^Channel \d+, mean activation /.test(l)),
    `${shown.activations.tiles} tiles for shape [${a?.shape}]`,
  );
  check(
    `layers (${name}): tiles sorted by mean activation, highest first`,
    a.means.every((m, i) => i === 0 || m <= a.means[i - 1]) && shown.activations.values.every((v, i) => Math.abs(v - a.means[i]) < 1e-6),
    a.means
      .slice(0, 4)
      .map((m) => m.toFixed(3))
      .join(' ≥ '),
  );
  check(
    `layers (${name}): the strongest channels' tiles are not blank`,
    shown.activations.spread.slice(0, 4).every((s) => s > 0),
    shown.activations.spread.slice(0, 8).join(','),
  );
  const before = await resources(page);
  const v = await visualise(page, 4, steps);
  const vis = v.stats.visual;
  console.log(
    `layers (${name}) visualised after ${seconds()} s: ${vis.state}, ${vis.timeMs?.toFixed(0)} ms, ${vis.progressUpdates} progress images, objective ${vis.firstObjective?.map((o) => o.toFixed(3))} -> ${vis.finalObjective?.map((o) => o.toFixed(3))}`,
  );
  check(
    `layers (${name}): visualising the top 4 channels finishes`,
    vis.state === 'done' && vis.imageShape?.[0] === 4,
    `${vis.state}${vis.error ? `: ${vis.error}` : ''} [${vis.imageShape}]`,
  );
  check(
    `layers (${name}): they are the activations grid's first 4 channels`,
    vis.channels.join() === a.channels.slice(0, 4).join() && v.visualised.channels.join() === vis.channels.join(),
    vis.channels.join(),
  );
  check(`layers (${name}): progress images were shown while it ran`, vis.progressUpdates >= 2, `${vis.progressUpdates} updates`);
  check(
    `layers (${name}): 4 visualisation tiles drawn, not blank`,
    !v.visualised.hidden && v.visualised.tiles === 4 && v.visualised.spread.every((s) => s > 16),
    v.visualised.spread.join(','),
  );
  check(
    `layers (${name}): every channel's objective rises (final image vs first step)`,
    vis.finalObjective.every((o, i) => o > vis.firstObjective[i] && o > 0),
    vis.finalObjective.map((o, i) => `${vis.firstObjective[i].toFixed(3)} -> ${o.toFixed(3)}`).join(', '),
  );
  const after = await resources(page);
  check(
    `layers (${name}): no tensor or GPU-buffer leak after activations and a visualisation`,
    same(before, after),
    `${JSON.stringify(before)} -> ${JSON.stringify(after)}`,
  );
  return { before };
}

/** 3. "What did this layer learn" on MNIST and on the shapes model. */
export async function layerChecks(page, ctx) {
  const { check } = ctx;
  await page.locator('#layer-panel').scrollIntoViewIfNeeded();
  const { before } = await checkLayerView(page, ctx, 'MNIST', { steps: 32 });
  await page.locator('#layer-panel').screenshot({ path: 'screenshots/layers.png' });
  // Another layer from the keyboard: the grid follows with that layer's channel count.
  const first = await layerGrids(page);
  await page.locator('#layer-pick').focus();
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction((l) => window.webxaiDemo.layers.layer !== l, first.stats.layer, { timeout: 30_000 });
  await page.evaluate(() => window.webxaiDemo.layerView.settled);
  const next = await layerGrids(page);
  check(
    'layers: picking another layer (keyboard) shows its channels',
    next.stats.layer !== first.stats.layer && next.activations.tiles === next.stats.activations.shape[3] && next.visualised.hidden,
    `${first.stats.layer} -> ${next.stats.layer}, ${next.activations.tiles} tiles`,
  );
  // Cancel a long visualisation once a progress image is shown.
  await page.selectOption('#visualise-count', '4');
  await page.fill('#visualise-steps', '1024');
  await page.locator('#visualise-run').click();
  await page.waitForFunction(() => window.webxaiDemo.layers.visual.progressUpdates >= 1, null, { timeout: 120_000 });
  await page.locator('#visualise-cancel').click();
  await page.waitForFunction(() => window.webxaiDemo.layers.visual.state !== 'running', null, { timeout: 60_000 }).catch(() => undefined);
  const cancelled = await layerGrids(page);
  check(
    'layers: Cancel stops a visualisation (its progress images stay)',
    cancelled.stats.visual.state === 'cancelled' && cancelled.stats.visual.done < 1024 && cancelled.visualised.tiles === 4,
    `${cancelled.stats.visual.state} at step ${cancelled.stats.visual.done}: ${await page.locator('#visualise-status').textContent()}`,
  );
  const afterCancel = await resources(page);
  check(
    'layers: no tensor or GPU-buffer leak after a cancelled visualisation',
    same(before, afterCancel),
    `${JSON.stringify(before)} -> ${JSON.stringify(afterCancel)}`,
  );
  await pickShippedModel(page, '#use-shapes', 'Shapes');
  await checkLayerView(page, ctx, 'shapes', { steps: 32 });
  await page.locator('#layer-panel').screenshot({ path: 'screenshots/layers-shapes.png' });
  await pickShippedModel(page, '#use-mnist', 'MNIST');
}

/** 4. A GraphModel by URL (the tiny CNN as a TF GraphDef, served by the test): detected, explained, its layers listed. */
export async function graphModelChecks(page, { check, seconds, serverUrl }) {
  await page.fill('#model-url', `${serverUrl}/graph/model.json`);
  await page.locator('#url-form button').click();
  await page
    .waitForFunction(() => document.body.dataset.model !== 'loading' && window.webxaiDemo.model?.format === 'graph-model', null, {
      timeout: 120_000,
    })
    .catch(() => undefined);
  await page.evaluate(() => window.webxaiDemo.shown);
  await page.evaluate(() => window.webxaiDemo.layerView.settled);
  const g = await demo(page, () => ({
    model: window.webxaiDemo.model,
    error: document.querySelector('#model-error').hidden ? '' : document.querySelector('#model-error').textContent,
    explainer: document.querySelector('xai-explainer').state,
    top: document.querySelector('xai-explainer').predictions[0]?.label,
    grid: window.webxaiDemo.grid.map((r) => ({ method: r.method, state: r.state, path: r.path, note: r.note ?? '', error: r.error ?? '' })),
    layers: JSON.parse(JSON.stringify(window.webxaiDemo.layers)),
    tiles: document.querySelector('#layer-activations').shadowRoot.querySelectorAll('[part=tile]').length,
  }));
  console.log(`GraphModel by URL shown after ${seconds()} s: ${JSON.stringify(g.model)}`);
  check(
    'GraphModel by URL: detected as a graph-model, 16 x 16 x 3 input, 4 classes',
    g.model.format === 'graph-model' && g.model.height === 16 && g.model.channels === 3 && g.model.labels.length === 4,
    g.error || JSON.stringify(g.model),
  );
  check(
    'GraphModel by URL: the explainer explains it',
    g.explainer === 'done' && /^class [0-3]$/.test(g.top),
    `${g.explainer}, top ${g.top}`,
  );
  check(
    'GraphModel by URL: every grid method explains it on the gpu path',
    g.grid.every((r) => r.state === 'done' && r.path === 'gpu'),
    g.grid.map((r) => `${r.method}:${r.state}:${r.path}${r.error ? ` ${r.error}` : ''}`).join(' '),
  );
  check(
    'GraphModel by URL: Grad-CAM used a GraphModel node as its layer',
    /layer conv2\/Relu/.test(g.grid.find((r) => r.method === 'grad-cam')?.note),
    g.grid.find((r) => r.method === 'grad-cam')?.note,
  );
  check(
    "GraphModel by URL: the layer view lists its nodes (conv1/Relu, conv2/Relu...) and shows a node's 8 channels",
    ['conv1/Relu', 'conv2/Relu'].every((l) => g.layers.layers.includes(l)) && g.tiles === 8,
    `${g.layers.layers.join()}; ${g.tiles} tiles`,
  );
  await page.locator('main').screenshot({ path: 'screenshots/graph-model.png' });
  await pickShippedModel(page, '#use-mnist', 'MNIST');
}

/** 5. A grey (1-channel) ONNX model: loaded, explained by the explainer and the grid, scored in the trust view's method list. */
export async function greyOnnxChecks(page, { check, seconds, greyOnnxFile }) {
  await page.setInputFiles('#onnx-file', greyOnnxFile);
  await page.waitForFunction(() => document.body.dataset.model === 'onnx' || document.body.dataset.model === 'error', null, {
    timeout: 120_000,
  });
  await page.evaluate(() => window.webxaiDemo.shown);
  const g = await demo(page, () => ({
    model: window.webxaiDemo.model,
    error: document.querySelector('#model-error').hidden ? '' : document.querySelector('#model-error').textContent,
    explainer: document.querySelector('xai-explainer').state,
    explainerError: document.querySelector('xai-explainer').error?.message ?? '',
    top: document.querySelector('xai-explainer').predictions[0]?.label,
    p: document.querySelector('xai-explainer').predictions[0]?.probability,
    grid: window.webxaiDemo.grid.map((r) => `${r.method}:${r.state}${r.error ? ` ${r.error}` : ''}`),
    brush: { ...window.webxaiDemo.brush },
    layers: document.querySelector('#layer-panel').dataset.state,
  }));
  console.log(`grey ONNX shown after ${seconds()} s: ${JSON.stringify(g.model)}`);
  check(
    'grey ONNX: a 1-channel NCHW model loads (16 x 16 x 1)',
    g.model?.format === 'onnx' && g.model.height === 16 && g.model.channels === 1,
    g.error || JSON.stringify(g.model),
  );
  check(
    'grey ONNX: the explainer predicts and explains it',
    g.explainer === 'done' && /^class [0-3]$/.test(g.top ?? ''),
    `${g.explainer} ${g.explainerError}, top ${g.top}`,
  );
  check(
    "grey ONNX: the explainer's top probability (RGB made grey) equals the brush's (grey pixels)",
    Math.abs(g.p - g.brush.original) < 1e-4 && g.top === g.brush.occludedTop,
    `${g.p?.toFixed(6)} vs ${g.brush.original?.toFixed(6)}`,
  );
  check(
    'grey ONNX: every grid method explains it',
    g.grid.every((r) => r.endsWith(':done')),
    g.grid.join(' '),
  );
  check(
    'grey ONNX: the brush predicts it',
    Number.isFinite(g.brush.original) && Number.isFinite(g.brush.occluded),
    JSON.stringify(g.brush),
  );
  check('grey ONNX: the layer view says a black box has no layers', g.layers === 'unavailable', g.layers);
  await page.locator('main').screenshot({ path: 'screenshots/onnx-grey.png' });
  await pickShippedModel(page, '#use-mnist', 'MNIST');
}
