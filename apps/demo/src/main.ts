// SPDX-License-Identifier: Apache-2.0
// The demo page: pick a model (shipped MNIST, a model.json URL, a Teachable Machine export, an ONNX
// file) and an image (digits, samples, upload, paste, drop, camera); explain it with one method
// (<xai-explainer>) and with a grid of methods (<xai-compare>); explain the camera live; brush over
// parts of the image to see the prediction change; score the maps (trust view); see what a layer learned. <body data-state> goes from "pending" to "ok" once
// the first digit is explained by the explainer and every grid method, or to "error";
// window.webxaiDemo holds the details (read by scripts/screenshot.mjs).
import * as tf from '@tensorflow/tfjs';
import { tfjsDevice, tfjsUsedBufferCount } from '@webxai/core';
import { mnistSamples, MNIST_LABELS } from '@webxai/models';
import '@webxai/ui';
import { liveBufferCount, type BlendMode, type ColormapName } from '@webxai/shaders';
import { initBackend, type BackendInfo } from './backend.js';
import { Brush, type BrushStats } from './brush.js';
import { markPicked, renderPicker, SIZE, type Digit } from './digits.js';
import { attachDrawPad } from './draw-pad.js';
import { MethodGrid, type GridRow } from './grid.js';
import { attachImageSources } from './image-panel.js';
import { LayerView, type LayerStats } from './layers.js';
import { LiveMode, type LiveStats } from './live.js';
import { explainSized, methodsFor, useBaselines } from './methods.js';
import { attachModelPanel } from './model-panel.js';
import { explainerPreprocessOf, shippedMnist, type DemoModel } from './models.js';
import { drawCrop, greyImage, shapesPictures, toModelView, type ModelView, type Picture } from './picture.js';
import { TrustView, type TrustStats } from './trust.js';

/** What the page exposes for the e2e test and for curious people in the console. */
interface DemoState {
  backend?: BackendInfo;
  /** The picture's name (kept as `digit` for the digit checks). */
  digit?: string;
  model?: {
    name: string;
    format: string;
    height: number;
    width: number;
    channels: number;
    labels: string[];
    preprocess: string;
    differentiable: boolean;
  };
  /** Completed grid runs (every grid method finished for one image). */
  gridRuns: number;
  grid: readonly GridRow[];
  live?: LiveStats;
  brush?: BrushStats;
  liveMode?: LiveMode;
  brushTool?: Brush;
  trust?: TrustStats;
  trustView?: TrustView;
  layers?: LayerStats;
  layerView?: LayerView;
  /** Resolves when the latest image (or model) has been predicted, explained by every view and drawn. */
  shown: Promise<void>;
  tensors(): number;
  /** GPU buffers tfjs's webgpu backend has handed out (0 on cpu). */
  gpuBuffers(): number;
  /** GPU buffers webxai's own kernels hold on tfjs's device (0 on cpu). */
  webxaiBuffers(): number;
  /** The share of the current picture covered by its ground-truth object mask (0 without one). */
  maskShare(): number;
}

const $ = <T extends Element>(selector: string) => document.querySelector<T>(selector)!;
const state: DemoState = {
  gridRuns: 0,
  grid: [],
  shown: Promise.resolve(),
  tensors: () => tf.memory().numTensors,
  gpuBuffers: () => (tf.getBackend() === 'webgpu' ? tfjsUsedBufferCount() : 0),
  webxaiBuffers: () => (tf.getBackend() === 'webgpu' ? liveBufferCount(tfjsDevice()) : 0),
  maskShare: () => 0,
};
(window as unknown as { webxaiDemo: DemoState }).webxaiDemo = state;

function showBackend(backend: BackendInfo): void {
  $('#backend').textContent = backend.backend;
  $('#adapter').textContent = backend.adapter;
  const link = $<HTMLAnchorElement>('#path-switch');
  if (backend.backend === 'cpu') {
    link.href = '?';
    link.textContent = backend.fallbackReason?.startsWith('asked') ? 'Run on WebGPU instead' : 'Try WebGPU again';
  }
  if (backend.fallbackReason) {
    const note = $<HTMLElement>('#fallback');
    note.hidden = false;
    note.textContent = `Running on the CPU path: ${backend.fallbackReason}. webxai runs its kernels' CPU references (slower, same maps); every result says which path ran.`;
  }
}

async function main(): Promise<void> {
  const backend = (state.backend = await initBackend(new URLSearchParams(location.search).get('backend') === 'cpu' ? 'cpu' : 'webgpu'));
  showBackend(backend);

  const samples = mnistSamples();
  const all = (await samples.images.data()) as Float32Array;
  useBaselines(samples.images); // expected gradients averages over the embedded digits; kept for the page's life
  const digits: Picture[] = samples.labels.map((label, i) => {
    const pixels = all.slice(i * SIZE * SIZE, (i + 1) * SIZE * SIZE);
    return digitPicture(pixels, `held-out digit ${i + 1} (a ${MNIST_LABELS[label]})`);
  });

  const device = backend.backend === 'webgpu' ? tfjsDevice() : undefined; // one GPUDevice for tfjs and the heatmaps
  const explainer = $<HTMLElementTagNameMap['xai-explainer']>('#explainer');
  explainer.explainFn = explainSized;
  explainer.device = device;

  const compare = $<HTMLElementTagNameMap['xai-compare']>('#compare');
  compare.device = device;
  $<HTMLSelectElement>('#colormap').addEventListener(
    'change',
    (e) => (compare.colormap = (e.target as HTMLSelectElement).value as ColormapName),
  );
  $<HTMLSelectElement>('#mode').addEventListener('change', (e) => (compare.mode = (e.target as HTMLSelectElement).value as BlendMode));
  const live = (state.liveMode = new LiveMode(device));
  state.live = live.stats;
  const brush = (state.brushTool = new Brush());
  state.brush = brush.stats;
  const trust = (state.trustView = new TrustView());
  state.trust = trust.stats;
  const layers = (state.layerView = new LayerView());
  state.layers = layers.stats;

  let model: DemoModel | undefined;
  let grid: MethodGrid | undefined;
  let gridAbort = new AbortController();
  let gridWork: Promise<unknown> = Promise.resolve();
  const gridCancel = $<HTMLButtonElement>('#grid-cancel');
  gridCancel.addEventListener('click', () => gridAbort.abort());
  const picker = $<HTMLElement>('#digits');
  let current: { picture: Picture; view: ModelView; target: number | 'predicted' } | undefined;
  state.maskShare = () => {
    const mask = current?.view.mask;
    return mask ? mask.reduce((sum, v) => sum + v, 0) / mask.length : 0;
  };

  /** (Re-)runs the grid on the current image, after whatever the explainer is doing. */
  const runGrid = (): Promise<void> => {
    const { view, target } = current!;
    const m = model!;
    const g = grid!;
    gridAbort.abort();
    const abort = (gridAbort = new AbortController());
    // The grid starts once the explainer is done, so the two do not share the GPU and the timings are honest.
    const run = Promise.all([gridWork, explainer.settled]).then(async () => {
      if (abort.signal.aborted) return;
      const input = tf.tensor4d(view.pixels, [1, m.height, m.width, m.channels]);
      gridCancel.disabled = false;
      try {
        const rows = await g.run(input, view.image, target, abort.signal);
        if (rows.every((r) => r.state === 'done')) state.gridRuns++;
      } finally {
        input.dispose();
        if (gridAbort === abort) gridCancel.disabled = true;
      }
    });
    gridWork = run.catch(() => undefined); // the next run waits for this one, failed or not
    return run;
  };

  const show = (picture: Picture): Promise<void> => {
    const m = model!;
    state.digit = picture.name;
    const view = toModelView(picture, m);
    drawCrop($('#crop-view'), picture, view.crop);
    const { crop } = view;
    $('#crop-caption').textContent =
      `${picture.original.width} x ${picture.original.height} → crop ${crop.width} x ${crop.height} at (${crop.x}, ${crop.y}) → ${m.width} x ${m.height}`;
    $('#digit-caption').textContent =
      picture.digit && !/^held-out/.test(picture.name)
        ? 'Your drawing, scaled and centred as MNIST digits are.'
        : `Showing ${picture.name}.`;
    current = { picture, view, target: 'predicted' };
    trust.setImage({ pixels: view.pixels, target: 'predicted', ...(view.mask ? { mask: view.mask } : {}) });
    explainer.target = undefined; // explain the new image's top class
    explainer.image = view.image;
    const brushed = brush.setImage(view);
    // The layer's activations follow once the grid is done (one forward pass; the grid's timings stay its own).
    const gridDone = runGrid();
    const layered = gridDone.catch(() => undefined).then(() => layers.setImage(view.pixels));
    const done = Promise.all([gridDone, explainer.settled, brushed, layered]).then(() => undefined);
    state.shown = done.catch(() => undefined);
    return done;
  };

  /** A new model, or new settings for it: every view follows; the picture is re-cropped to the new size. */
  const useModel = async (m: DemoModel): Promise<void> => {
    gridAbort.abort();
    await gridWork;
    grid?.dispose();
    model = m;
    state.model = {
      name: m.name,
      format: m.format,
      height: m.height,
      width: m.width,
      channels: m.channels,
      labels: m.labels,
      preprocess: m.preprocess,
      differentiable: m.differentiable,
    };
    grid = new MethodGrid(m, compare, $('#timings'));
    state.grid = grid.rows;
    const preprocess = explainerPreprocessOf(m);
    explainer.labels = m.labels;
    explainer.methods = methodsFor(m.differentiable);
    explainer.method = m.differentiable ? 'gradient-x-input' : 'occlusion'; // one backward pass, or the cheapest perturbation
    explainer.preprocess = preprocess;
    explainer.methodOptions = preprocess ? { preprocess } : {};
    explainer.model = m.model;
    $<HTMLElement>('#digit-picker').hidden = m.shipped !== 'mnist';
    live.setModel(m);
    brush.setModel(m);
    trust.setModel(m);
    layers.setModel(m);
    sources.setSamples(m.shipped === 'shapes' ? (shapesSamples ??= shapesPictures()) : drawnSamples);
    // The shapes model starts on its own held-out images; other models keep the picture (re-cropped).
    const keep = current && !(m.shipped === 'shapes' && !current.picture.exact) && !(m.shipped !== 'shapes' && current.picture.exact);
    const picture = keep ? current!.picture : m.shipped === 'mnist' ? digits[0]! : sources.samples[0]!;
    if (m.shipped === 'mnist') markPicked(picker, digits.indexOf(picture));
    await show(picture);
  };

  // Picking another class in the explainer re-explains the grid for that class too.
  explainer.addEventListener('xai-explained', () => {
    if (current && explainer.target !== undefined && explainer.target !== current.target) {
      current.target = explainer.target;
      trust.setImage({ pixels: current.view.pixels, target: current.target, ...(current.view.mask ? { mask: current.view.mask } : {}) });
      runGrid().catch(fail);
    }
  });

  renderPicker(
    picker,
    digits.map((d): Digit => ({ pixels: d.digit!, name: d.name })),
    (index) => {
      markPicked(picker, index);
      show(digits[index]!).catch(fail);
    },
  );
  attachDrawPad($('#pad'), $('#clear'), (pixels) => {
    if (!pixels) return;
    markPicked(picker, -1);
    show(digitPicture(pixels, 'your drawing')).catch(fail);
  });
  const sources = attachImageSources((picture) => {
    markPicked(picker, -1);
    show(picture).catch(fail);
  });
  const drawnSamples = sources.samples;
  let shapesSamples: Picture[] | undefined;
  const panel = attachModelPanel(useModel);
  await panel.load(shippedMnist, 'the shipped MNIST CNN');
  if (!model) throw new Error($('#model-error').textContent ?? 'the shipped model did not load');
  const failed = grid!.rows.filter((r) => r.state !== 'done');
  if (failed.length)
    throw new Error(
      `grid methods did not finish: ${failed.map((r) => `${r.method} (${r.state}${r.error ? `: ${r.error}` : ''})`).join(', ')}`,
    );
  if (explainer.state !== 'done') throw new Error(`the explainer ended in state '${explainer.state}': ${explainer.error?.message ?? ''}`);
  document.body.dataset.state = 'ok';
}

/** A 28x28 digit as a Picture (the original is the digit itself). */
function digitPicture(pixels: Float32Array, name: string): Picture {
  const canvas = document.createElement('canvas');
  canvas.width = SIZE;
  canvas.height = SIZE;
  canvas.getContext('2d')!.putImageData(greyImage(pixels, SIZE, SIZE), 0, 0);
  return { name, original: canvas, digit: pixels };
}

function fail(error: unknown): void {
  console.error(error);
  const message = error instanceof Error ? error.message : String(error);
  const box = $<HTMLElement>('#page-error');
  box.hidden = false;
  box.textContent = `Something went wrong: ${message}`;
  document.body.dataset.state = 'error';
  document.body.dataset.error = message;
}

main().catch(fail);
