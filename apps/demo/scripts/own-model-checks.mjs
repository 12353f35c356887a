// SPDX-License-Identifier: Apache-2.0
// e2e checks of the "your model, your image, your camera" parts of the demo, run by screenshot.mjs on
// the same page after its digit checks: brush-to-occlude, live mode on Chromium's fake camera (about a
// minute of frames, no tensor / GPU-buffer growth), a camera snapshot, a model by URL (served by the
// test), load failures, a Teachable Machine export uploaded with setInputFiles, an uploaded image, an
// ONNX model (perturbation methods only; the trust view offers only those), a phone-sized layout and a browser without
// WebGPU. Screenshots of each view go to screenshots/.
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';

/** How long live mode runs between the two leak measurements (the brief asks for about a minute). */
const LIVE_SECONDS = Number(process.env.LIVE_SECONDS ?? 55);

const shown = (page) => page.evaluate(() => window.webxaiDemo.shown);
const demo = (page, fn, arg) => page.evaluate(fn, arg);

/** Resource counts while nothing runs. */
const resources = (page) =>
  page.evaluate(async () => {
    const d = window.webxaiDemo;
    await d.liveMode.idle;
    await d.shown;
    // The live heatmap draws the last frame after its explanation is done: wait for that draw too.
    await document.querySelector('#live-heatmap')?.renderComplete;
    return { tensors: d.tensors(), gpuBuffers: d.gpuBuffers(), webxaiBuffers: d.webxaiBuffers() };
  });

/** Paints horizontal strokes over the middle `fraction` of the brush canvas. */
async function brushMiddle(page, fraction, rows = 5) {
  const box = await page.locator('#brush-canvas').boundingBox();
  const lo = 0.5 - fraction / 2;
  for (let r = 0; r < rows; r++) {
    const y = box.y + box.height * (lo + (fraction * (r + 0.5)) / rows);
    await page.mouse.move(box.x + box.width * lo, y);
    await page.mouse.down();
    for (let t = 1; t <= 8; t++) await page.mouse.move(box.x + box.width * (lo + (fraction * t) / 8), y);
    await page.mouse.up();
  }
  await page.evaluate(() => window.webxaiDemo.brushTool.settled());
  return demo(page, () => ({ ...window.webxaiDemo.brush }));
}

async function loadByUrl(page, url) {
  await page.fill('#model-url', url);
  await page.locator('#url-form button').click();
  await page.waitForFunction(() => document.body.dataset.model !== 'loading', null, { timeout: 60_000 });
}

export async function ownModelChecks(page, { check, seconds, serverUrl, tmFiles, onnxFile, tmpDir, url, context }) {
  // 1. Brush-to-occlude on the first digit (a 0): erasing its middle rows drops P(0); undo restores it; the keyboard paints too.
  // (A grey block over a 0 still reads as a 0 with the shipped CNN: a bright blob; black erases the strokes.)
  await page.locator('#digits button').nth(0).click();
  await page.waitForFunction(() => window.webxaiDemo.digit.startsWith('held-out digit 1 '), null, { timeout: 5_000 });
  await shown(page);
  await page.locator('#brush-size').fill('6');
  await page.selectOption('#brush-fill', 'black');
  const before = await demo(page, () => ({ ...window.webxaiDemo.brush }));
  const brushed = await brushMiddle(page, 0.7);
  console.log(
    `brush: P(${before.target}) ${before.original?.toFixed(3)} -> ${brushed.occluded?.toFixed(3)} (reads as ${brushed.occludedTop}, ${(brushed.covered * 100).toFixed(0)}% covered) after ${seconds()} s`,
  );
  check('brush: the original digit 0 is read as 0', before.target === 0 && before.original > 0.5, `P(0) = ${before.original?.toFixed(3)}`);
  check(
    'brush: erasing the middle of the digit drops P(0) by more than 0.3',
    brushed.occluded < before.original - 0.3,
    `${before.original?.toFixed(3)} -> ${brushed.occluded?.toFixed(3)}`,
  );
  await page.locator('#brush-panel').screenshot({ path: 'screenshots/brush.png' });
  for (let i = 0; i < 5; i++) await page.locator('#brush-undo').click();
  await page.evaluate(() => window.webxaiDemo.brushTool.settled());
  const undone = await demo(page, () => ({ ...window.webxaiDemo.brush }));
  check(
    'brush: Undo of every stroke restores the original probability',
    undone.covered === 0 && Math.abs(undone.occluded - before.original) < 1e-6,
    `${undone.occluded?.toFixed(6)} vs ${before.original?.toFixed(6)}`,
  );
  await page.locator('#brush-canvas').focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('Shift+ArrowRight');
  await page.evaluate(() => window.webxaiDemo.brushTool.settled());
  const keyed = await demo(page, () => ({ ...window.webxaiDemo.brush }));
  check(
    'brush: Space and Shift+arrows paint from the keyboard',
    keyed.covered > 0 && keyed.updates > undone.updates,
    `${(keyed.covered * 100).toFixed(1)}% covered`,
  );
  await page.locator('#brush-clear').click();

  // 2. Live mode on the fake camera: frames are explained, maps follow the frames, nothing grows over ~a minute.
  await page.locator('#live-start').click();
  await page.waitForFunction(() => window.webxaiDemo.live.frames >= 3 || window.webxaiDemo.live.error, null, { timeout: 60_000 });
  await page.locator('#live-pause').click();
  const start = await resources(page);
  const s0 = await demo(page, () => ({ ...window.webxaiDemo.live }));
  check(
    'live: the camera opened and frames are explained',
    s0.camera === 'on' && s0.frames >= 3 && !s0.error,
    `${s0.camera}, ${s0.frames} frames${s0.error ? `, ${s0.error}` : ''}`,
  );
  await page.locator('#live-pause').click();
  const liveStarted = Date.now();
  await page.waitForTimeout(LIVE_SECONDS * 1000);
  const s1 = await demo(page, () => ({ ...window.webxaiDemo.live }));
  await page.locator('#live-panel').screenshot({ path: 'screenshots/live.png' });
  await page.locator('#live-pause').click();
  const end = await resources(page);
  const frames = s1.frames - s0.frames;
  console.log(
    `live: ${frames} frames in ${((Date.now() - liveStarted) / 1000).toFixed(0)} s, fps ${s1.fps.toFixed(2)}, ${s1.frameMs.toFixed(0)} ms/frame, ${s1.dropped} dropped, ${s1.mapChanges} map changes; resources ${JSON.stringify(start)} -> ${JSON.stringify(end)}`,
  );
  check(
    'live: fps > 0 and a per-frame time is shown',
    s1.fps > 0 && s1.frameMs > 0 && (await page.locator('#live-fps').textContent()) !== '–',
    `fps ${s1.fps.toFixed(2)}, ${s1.frameMs.toFixed(0)} ms`,
  );
  check(`live: frames kept being explained for ${LIVE_SECONDS} s`, frames >= 10, `${frames} frames`);
  check(
    'live: the smoothed map changes as the camera frame changes',
    s1.mapChanges >= Math.min(5, frames - 1),
    `${s1.mapChanges} changes over ${s1.frames} frames`,
  );
  check(
    'live: frames that arrive while one is explained are dropped, not queued',
    s1.dropped > 0 && s1.frames + s1.dropped > s1.frames,
    `${s1.dropped} dropped`,
  );
  check('live: tfjs tensors unchanged after a minute of frames', end.tensors === start.tensors, `${start.tensors} -> ${end.tensors}`);
  check(
    'live: tfjs GPU buffers unchanged after a minute of frames',
    end.gpuBuffers === start.gpuBuffers,
    `${start.gpuBuffers} -> ${end.gpuBuffers}`,
  );
  check(
    "live: webxai's GPU buffers unchanged after a minute of frames",
    end.webxaiBuffers === start.webxaiBuffers,
    `${start.webxaiBuffers} -> ${end.webxaiBuffers}`,
  );
  // Hiding the tab stops the camera; showing it starts the camera again.
  const setVisibility = (hidden) =>
    page.evaluate((h) => {
      Object.defineProperty(document, 'visibilityState', { value: h ? 'hidden' : 'visible', configurable: true });
      Object.defineProperty(document, 'hidden', { value: h, configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    }, hidden);
  await page.locator('#live-pause').click(); // resume, then hide
  await setVisibility(true);
  await page.waitForFunction(() => window.webxaiDemo.live.camera !== 'on', null, { timeout: 10_000 });
  const hidden = await demo(page, () => window.webxaiDemo.live.camera);
  check('live: hiding the tab stops the camera', hidden === 'suspended', hidden);
  await setVisibility(false);
  await page.waitForFunction(() => window.webxaiDemo.live.camera === 'on', null, { timeout: 20_000 }).catch(() => undefined);
  check('live: showing the tab starts the camera again', (await demo(page, () => window.webxaiDemo.live.camera)) === 'on');
  await page.locator('#live-start').click(); // stop
  await page.waitForFunction(() => window.webxaiDemo.live.camera === 'off', null, { timeout: 10_000 });

  // 3. A camera snapshot as the picture: 640x480, centre-cropped to a square.
  await page.locator('#snapshot').click();
  await page.waitForFunction(() => window.webxaiDemo.digit === 'a camera photo', null, { timeout: 20_000 });
  await shown(page);
  const cropText = await page.locator('#crop-caption').textContent();
  check(
    'snapshot: the camera photo is centre-cropped to the model (crop shown)',
    /640 x 480 → crop 480 x 480 at \(80, 0\) → 28 x 28/.test(cropText),
    cropText,
  );

  // 4. Load failures: the URL and the reason are shown, the previous model stays.
  await loadByUrl(page, `${serverUrl}/missing/model.json`);
  const missing = await page.locator('#model-error').textContent();
  check(
    'model by URL: a 404 shows the URL and the reason',
    (await page.locator('#model-error').isVisible()) && missing.includes(`${serverUrl}/missing/model.json`) && /404/.test(missing),
    missing,
  );
  await loadByUrl(page, `${serverUrl}/broken/model.json`);
  const broken = await page.locator('#model-error').textContent();
  check(
    'model by URL: a model.json that is not JSON shows the URL and the reason',
    broken.includes(`${serverUrl}/broken/model.json`) && /JSON/i.test(broken),
    broken,
  );
  check(
    'model by URL: after a failure the previous model stays in use',
    (await demo(page, () => window.webxaiDemo.model.name)).startsWith('MNIST'),
  );
  await page.locator('#model-panel').screenshot({ path: 'screenshots/model-error.png' });

  // 5. A model by URL (served by this test; a metadata.json next to it gives labels and [-1, 1]).
  await loadByUrl(page, `${serverUrl}/tm/model.json`);
  await shown(page);
  const byUrl = await demo(page, () => window.webxaiDemo.model);
  check(
    'model by URL: a LayersModel is detected and loaded',
    byUrl.format === 'layers-model' && byUrl.height === 32 && byUrl.channels === 3,
    JSON.stringify(byUrl),
  );
  check(
    'model by URL: labels and [-1, 1] preprocessing from the metadata.json next to it',
    byUrl.labels.join() === 'red,blue' && byUrl.preprocess === 'signed',
    `${byUrl.labels} ${byUrl.preprocess}`,
  );
  await page.locator('#samples button').nth(0).click(); // a red circle
  await page.waitForFunction(() => window.webxaiDemo.digit === 'a red circle', null, { timeout: 5_000 });
  await shown(page);
  const red = await page.evaluate(() => ({
    top: document.querySelector('xai-explainer').predictions[0]?.label,
    grid: window.webxaiDemo.grid.map((r) => `${r.method}:${r.state}:${r.path}`),
  }));
  check('model by URL: the red circle sample reads as "red"', red.top === 'red', red.top);
  check(
    'model by URL: every grid method explains it',
    red.grid.every((g) => g.includes(':done:')),
    red.grid.join(' '),
  );
  await page.locator('#brush-size').fill('12');
  await page.selectOption('#brush-fill', 'grey');
  const hid = await brushMiddle(page, 0.8, 6);
  check(
    'model by URL: brushing over the red circle drops P(red)',
    hid.original > 0.9 && hid.occluded < hid.original - 0.3,
    `${hid.original?.toFixed(3)} -> ${hid.occluded?.toFixed(3)}`,
  );
  await page.locator('#brush-clear').click();
  await page.locator('main').screenshot({ path: 'screenshots/model-url.png' });

  // 6. A Teachable Machine export uploaded as three files, then an uploaded image.
  await page.setInputFiles('#tm-files', tmFiles);
  await page.waitForFunction(
    () => document.body.dataset.model === 'layers-model' && window.webxaiDemo.model.name.includes('colours'),
    null,
    { timeout: 60_000 },
  );
  await shown(page);
  const tm = await demo(page, () => window.webxaiDemo.model);
  check(
    'Teachable Machine upload: loaded with labels from metadata.json',
    tm.name.includes('colours') && tm.labels.join() === 'red,blue' && tm.preprocess === 'signed',
    `${tm.name}: ${tm.labels}`,
  );
  const png = await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 200;
    c.height = 100;
    const g = c.getContext('2d');
    g.fillStyle = '#fff';
    g.fillRect(0, 0, 200, 100);
    g.fillStyle = '#00f';
    g.fillRect(70, 20, 60, 60);
    return c.toDataURL('image/png').split(',')[1];
  });
  const pngPath = join(tmpDir, 'blue-square.png');
  writeFileSync(pngPath, Buffer.from(png, 'base64'));
  await page.setInputFiles('#image-file', pngPath);
  await page.waitForFunction(() => window.webxaiDemo.digit === 'blue-square.png', null, { timeout: 10_000 });
  await shown(page);
  const upload = await page.evaluate(() => ({
    top: document.querySelector('xai-explainer').predictions[0]?.label,
    crop: document.querySelector('#crop-caption').textContent,
  }));
  check(
    'image upload: a blue square reads as "blue", centre-cropped 200x100 -> 100x100',
    upload.top === 'blue' && upload.crop.includes('200 x 100 → crop 100 x 100 at (50, 0) → 32 x 32'),
    `${upload.top}; ${upload.crop}`,
  );
  await page.locator('#image-panel').screenshot({ path: 'screenshots/image-upload.png' });
  // Paste (Ctrl+V) and drag-and-drop deliver the same kind of file through DataTransfer.
  for (const [how, name] of [
    ['paste', 'the pasted image'],
    ['drop', 'dropped.png'],
  ]) {
    await page.evaluate(
      async ({ how, b64 }) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const data = new DataTransfer();
        data.items.add(new File([bytes], 'dropped.png', { type: 'image/png' }));
        if (how === 'paste') document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
        else
          document
            .querySelector('#image-panel')
            .dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
      },
      { how, b64: png },
    );
    await page.waitForFunction((n) => window.webxaiDemo.digit === n, name, { timeout: 10_000 }).catch(() => undefined);
    await shown(page);
    const got = await page.evaluate(() => ({
      name: window.webxaiDemo.digit,
      top: document.querySelector('xai-explainer').predictions[0]?.label,
    }));
    check(
      `image ${how}: the image becomes the picture and is classified`,
      got.name === name && got.top === 'blue',
      `${got.name}: ${got.top}`,
    );
  }
  // Editing the preprocessing re-runs everything with the new setting ([0, 1] instead of [-1, 1]:
  // white becomes (1, 1, 1) either way, but blue (0, 0, 1) no longer drives the blue filter as hard).
  const signedP = await page.evaluate(() => document.querySelector('xai-explainer').predictions[0]?.probability);
  await page.selectOption('#preprocess', 'unit');
  await page.locator('#settings-form button[type=submit]').click();
  await page.waitForFunction(() => window.webxaiDemo.model?.preprocess === 'unit', null, { timeout: 10_000 }).catch(() => undefined);
  await shown(page);
  const unitP = await page.evaluate(() => ({
    pre: window.webxaiDemo.model.preprocess,
    p: document.querySelector('xai-explainer').predictions[0]?.probability,
  }));
  check(
    'settings: switching preprocessing to [0, 1] is applied and changes the prediction',
    unitP.pre === 'unit' && Math.abs(unitP.p - signedP) > 1e-3,
    `${signedP?.toFixed(4)} -> ${unitP.p?.toFixed(4)}`,
  );

  // 7. An ONNX model: perturbation methods only, and the page says why.
  await page.setInputFiles('#onnx-file', onnxFile);
  await page.waitForFunction(() => document.body.dataset.model !== 'loading' && document.body.dataset.model !== 'layers-model', null, {
    timeout: 60_000,
  });
  const onnxError = (await page.locator('#model-error').isVisible()) ? await page.locator('#model-error').textContent() : '';
  check('ONNX upload: loaded by onnxruntime-web', (await page.evaluate(() => document.body.dataset.model)) === 'onnx', onnxError);
  await shown(page);
  const onnx = await page.evaluate(() => ({
    model: window.webxaiDemo.model,
    methods: document.querySelector('xai-explainer').availableMethods,
    explainer: document.querySelector('xai-explainer').state,
    note: document.querySelector('#no-gradients').hidden ? '' : document.querySelector('#no-gradients').textContent,
    grid: window.webxaiDemo.grid.map((r) => `${r.method}:${r.state}`),
  }));
  check(
    'ONNX upload: input 16x16x3 read from the model',
    onnx.model?.height === 16 && onnx.model?.channels === 3,
    JSON.stringify(onnx.model),
  );
  check(
    'ONNX upload: only perturbation methods are offered',
    onnx.methods.includes('occlusion') && !onnx.methods.some((m) => m === 'saliency' || m.includes('cam')),
    onnx.methods.join(','),
  );
  check(
    'ONNX upload: the page says why gradient methods are off',
    /no gradients/.test(onnx.note) && /grad-cam/.test(onnx.note),
    onnx.note.slice(0, 80),
  );
  check(
    'ONNX upload: the explainer and every grid method explain it',
    onnx.explainer === 'done' && onnx.grid.every((g) => g.endsWith(':done')),
    `${onnx.explainer}; ${onnx.grid.join(' ')}`,
  );
  await page.locator('main').screenshot({ path: 'screenshots/onnx.png' });
  // A slow grid can be cancelled: pick another image, cancel while a method runs.
  await page.locator('#samples button').nth(1).click();
  // Watched and clicked inside the page, in the same task that sees a method running: on this tiny
  // model a method can finish within the round trip between a Playwright wait and a Playwright click.
  // What the page looked like when Cancel was clicked goes into the check's detail: a failure then
  // tells a Cancel that did not stop a method from a grid that never started within the wait (CI of
  // session 24 read done,done,done once, unexplained: the grid waits for the explainer to settle, and
  // the old 60 s wait may have run out under CI's parallel load; not reproduced in 4 runs here).
  const atClick = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const started = performance.now();
        const poll = () => {
          const states = window.webxaiDemo.grid.map((r) => r.state);
          const waited = performance.now() - started;
          if (states.includes('running') || waited > 180_000) {
            document.querySelector('#grid-cancel').click();
            resolve(`${states.join(',')} after ${Math.round(waited)} ms`);
          } else setTimeout(poll, 0);
        };
        poll();
      }),
  );
  await shown(page);
  const cancelled = await demo(page, () => window.webxaiDemo.grid.map((r) => r.state));
  check(
    'grid: Cancel stops the running methods (cancelled rows, none left running)',
    cancelled.includes('cancelled') && !cancelled.includes('running'),
    `${cancelled.join(',')}; at the click: ${atClick}`,
  );

  // 8. Trust for a model without gradients: the method choice is the perturbation methods only.
  const trustMethods = await page.evaluate(() => [...document.querySelectorAll('#trust-methods input')].map((i) => i.value));
  check('trust (ONNX): only perturbation methods can be scored', trustMethods.join() === 'occlusion,rise,lime', trustMethods.join());

  // 9. Phone-sized: nothing wider than the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  const overflow = await page.evaluate(() => ({
    width: document.documentElement.scrollWidth,
    // The innermost elements sticking out, to say what to fix.
    wide: [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > 391 && ![...e.children].some((c) => c.getBoundingClientRect().right > 391))
      .slice(0, 5)
      .map(
        (e) =>
          `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className && typeof e.className === 'string' ? `.${e.className}` : ''} ${Math.round(e.getBoundingClientRect().right)}`,
      ),
  }));
  check('phone-sized (390 px): no horizontal scrolling', overflow.width <= 391, `${overflow.width} px wide ${overflow.wide.join(', ')}`);
  await page.screenshot({ path: 'screenshots/phone.png', fullPage: true });
  await page.setViewportSize({ width: 1120, height: 900 });

  // 10. A browser without WebGPU: the CPU path runs and the page says so.
  {
    const noGpu = await context.newPage();
    await noGpu.addInitScript(() => Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true }));
    await noGpu.goto(url);
    await noGpu.waitForFunction(() => document.body.dataset.model === 'layers-model' || document.body.dataset.state === 'error', null, {
      timeout: 120_000,
    });
    const fallback = await noGpu.evaluate(() => ({
      backend: document.querySelector('#backend').textContent,
      note: document.querySelector('#fallback').hidden ? '' : document.querySelector('#fallback').textContent,
      link: document.querySelector('#path-switch').textContent,
    }));
    check(
      'no WebGPU: tfjs runs on cpu and the page labels the CPU path',
      fallback.backend === 'cpu' && /CPU path: this browser exposes no WebGPU adapter/.test(fallback.note),
      fallback.note,
    );
    await noGpu.locator('header').screenshot({ path: 'screenshots/no-webgpu.png' });
    await noGpu.close();
  }
}
