// SPDX-License-Identifier: Apache-2.0
// The demo page: pick or draw a digit, explain it with one method (<xai-explainer>) and with a grid
// of methods (<xai-compare>). <body data-state> goes from "pending" to "ok" once the first digit is
// explained by the explainer and by every grid method, or to "error"; window.webxaiDemo holds the
// details (read by scripts/screenshot.mjs).
import * as tf from '@tensorflow/tfjs';
import { listMethods, tfjsDevice, tfjsUsedBufferCount } from '@webxai/core';
import { loadMnistCnn, mnistCnnAccuracy, mnistSamples, MNIST_LABELS } from '@webxai/models';
import '@webxai/ui';
import type { BlendMode, ColormapName } from '@webxai/shaders';
import { initBackend, type BackendInfo } from './backend.js';
import { markPicked, renderPicker, SIZE, toImageData, type Digit } from './digits.js';
import { attachDrawPad } from './draw-pad.js';
import { MethodGrid, type GridRow } from './grid.js';
import { explainDigit, useBaselines } from './methods.js';

/** What the page exposes for the e2e test and for curious people in the console. */
interface DemoState {
  backend?: BackendInfo;
  digit?: string;
  /** Completed grid runs (every grid method finished for one digit). */
  gridRuns: number;
  grid: readonly GridRow[];
  tensors(): number;
  /** GPU buffers tfjs's webgpu backend has handed out (0 on cpu). */
  gpuBuffers(): number;
}

const $ = <T extends Element>(selector: string) => document.querySelector<T>(selector)!;
const state: DemoState = {
  gridRuns: 0,
  grid: [],
  tensors: () => tf.memory().numTensors,
  gpuBuffers: () => (tf.getBackend() === 'webgpu' ? tfjsUsedBufferCount() : 0),
};
(window as unknown as { webxaiDemo: DemoState }).webxaiDemo = state;

async function main(): Promise<void> {
  const backend = (state.backend = await initBackend(new URLSearchParams(location.search).get('backend') === 'cpu' ? 'cpu' : 'webgpu'));
  $('#backend').textContent = backend.backend;
  $('#adapter').textContent = backend.adapter;
  if (backend.fallbackReason) {
    const note = $<HTMLElement>('#fallback');
    note.hidden = false;
    note.textContent = `Running on the CPU: ${backend.fallbackReason}. Every result says which path ran.`;
  }

  const model = await loadMnistCnn();
  $('#model-info').textContent = `MNIST CNN (conv1, pool1, conv2, pool2, conv3, gap, logits), ${model.countParams().toLocaleString('en')} parameters, ${(mnistCnnAccuracy * 100).toFixed(1)}% held-out accuracy`;
  const samples = mnistSamples();
  const all = (await samples.images.data()) as Float32Array;
  useBaselines(samples.images); // expected gradients averages over the embedded digits; kept for the page's life
  const digits: Digit[] = samples.labels.map((label, i) => ({
    pixels: all.slice(i * SIZE * SIZE, (i + 1) * SIZE * SIZE),
    label,
    name: `held-out digit ${i + 1} (a ${MNIST_LABELS[label]})`,
  }));

  const device = backend.backend === 'webgpu' ? tfjsDevice() : undefined; // one GPUDevice for tfjs and the heatmaps
  const explainer = $<HTMLElementTagNameMap['xai-explainer']>('#explainer');
  explainer.labels = MNIST_LABELS;
  explainer.methods = listMethods();
  explainer.method = 'gradient-x-input'; // one backward pass: instant even on a software GPU
  explainer.explainFn = explainDigit;
  explainer.device = device;
  explainer.model = model;

  const compare = $<HTMLElementTagNameMap['xai-compare']>('#compare');
  compare.device = device;
  $<HTMLSelectElement>('#colormap').addEventListener('change', (e) => (compare.colormap = (e.target as HTMLSelectElement).value as ColormapName));
  $<HTMLSelectElement>('#mode').addEventListener('change', (e) => (compare.mode = (e.target as HTMLSelectElement).value as BlendMode));
  const grid = new MethodGrid(model, compare, $('#timings'));
  state.grid = grid.rows;

  let gridAbort = new AbortController();
  let gridWork: Promise<unknown> = Promise.resolve();
  const picker = $<HTMLElement>('#digits');

  let current: { digit: Digit; image: ImageData; target: number | 'predicted' } | undefined;

  /** (Re-)runs the grid on the current digit, after whatever the explainer is doing. */
  const runGrid = (): Promise<void> => {
    const { digit, image, target } = current!;
    gridAbort.abort();
    const abort = (gridAbort = new AbortController());
    // The grid starts once the explainer is done, so the two do not share the GPU and the timings are honest.
    const run = Promise.all([gridWork, explainer.settled]).then(async () => {
      if (abort.signal.aborted) return;
      const input = tf.tensor4d(digit.pixels, [1, SIZE, SIZE, 1]);
      try {
        const rows = await grid.run(input, image, target, abort.signal);
        if (rows.every((r) => r.state === 'done')) state.gridRuns++;
      } finally {
        input.dispose();
      }
    });
    gridWork = run.catch(() => undefined); // the next run waits for this one, failed or not
    return run;
  };

  const show = (digit: Digit): Promise<void> => {
    state.digit = digit.name;
    $('#digit-caption').textContent = digit.label === undefined ? 'Your drawing, scaled and centred as MNIST digits are.' : `Showing ${digit.name}.`;
    current = { digit, image: toImageData(digit.pixels), target: 'predicted' };
    explainer.target = undefined; // explain the new digit's top class
    explainer.image = current.image;
    return Promise.all([runGrid(), explainer.settled]).then(() => undefined);
  };

  // Picking another class in the explainer re-explains the grid for that class too.
  explainer.addEventListener('xai-explained', () => {
    if (current && explainer.target !== undefined && explainer.target !== current.target) {
      current.target = explainer.target;
      runGrid().catch(fail);
    }
  });

  renderPicker(picker, digits, (index) => {
    markPicked(picker, index);
    show(digits[index]!).catch(fail);
  });
  attachDrawPad($('#pad'), $('#clear'), (pixels) => {
    if (!pixels) return;
    markPicked(picker, -1);
    show({ pixels, name: 'your drawing' }).catch(fail);
  });

  markPicked(picker, 0);
  await show(digits[0]!);
  const failed = grid.rows.filter((r) => r.state !== 'done');
  if (failed.length) throw new Error(`grid methods did not finish: ${failed.map((r) => `${r.method} (${r.state}${r.error ? `: ${r.error}` : ''})`).join(', ')}`);
  if (explainer.state !== 'done') throw new Error(`the explainer ended in state '${explainer.state}': ${explainer.error?.message ?? ''}`);
  document.body.dataset.state = 'ok';
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
