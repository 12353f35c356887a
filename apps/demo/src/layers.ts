// SPDX-License-Identifier: Apache-2.0
// "What did this layer learn?": pick a layer (core's listLayers); every channel's activation for the
// current image, strongest first (layerActivations, sorted by mean activation) in <xai-feature-grid>;
// and, on request, what the top channels respond to (visualizeFeature: activation maximisation),
// shown step by step as the images improve, cancellable.
import * as tf from '@tensorflow/tfjs';
import { layerActivations, listLayers, visualizeFeature, type LayerInfo } from '@webxai/core';
import { AbortedError } from '@webxai/shaders';
import type { ShapedArray, XaiFeatureGrid } from '@webxai/ui';
import { preprocessOf, type DemoModel } from './models.js';

/** What the page shows and the e2e test reads (window.webxaiDemo.layers). */
export interface LayerStats {
  /** The layers listLayers offers ('unavailable' models have none). */
  layers: string[];
  layer?: string;
  /** Activations shown: channels in slot order (by mean activation, highest first) and their means. */
  activations?: { channels: number[]; means: number[]; shape: number[] };
  /** Images of the current image's activations computed so far (latest wins). */
  activationRuns: number;
  visual: {
    state: 'idle' | 'running' | 'done' | 'cancelled' | 'failed' | 'unavailable';
    channels: number[];
    /** Progress reports received (each drew the partial images). */
    progressUpdates: number;
    done?: number;
    total?: number;
    /** Objective per image at the first step and on the final images. */
    firstObjective?: number[];
    finalObjective?: number[];
    imageShape?: number[];
    timeMs?: number;
    error?: string;
  };
}

const $ = <T extends Element>(selector: string) => document.querySelector<T>(selector)!;

/** `[n, h, w, c]` tensor values copied to the host (the grid keeps them; the tensor can go). */
async function hostCopy(t: tf.Tensor): Promise<ShapedArray> {
  return { data: await t.data(), shape: t.shape };
}

const describeLayer = (l: LayerInfo) => `${l.name} (${l.outputShape.slice(1).join(' x ')}, ${l.className})`;

export class LayerView {
  readonly stats: LayerStats = { layers: [], activationRuns: 0, visual: { state: 'idle', channels: [], progressUpdates: 0 } };
  #model: DemoModel | undefined;
  #pixels: Float32Array | undefined;
  #order: number[] = [];
  #generation = 0;
  #activationWork: Promise<void> = Promise.resolve();
  #visualAbort = new AbortController();
  #visualWork: Promise<void> = Promise.resolve();
  readonly #panel = $<HTMLElement>('#layer-panel');
  readonly #pick = $<HTMLSelectElement>('#layer-pick');
  readonly #activations = $<XaiFeatureGrid>('#layer-activations');
  readonly #visualised = $<XaiFeatureGrid>('#layer-visualised');
  readonly #run = $<HTMLButtonElement>('#visualise-run');
  readonly #cancel = $<HTMLButtonElement>('#visualise-cancel');
  readonly #count = $<HTMLSelectElement>('#visualise-count');
  readonly #steps = $<HTMLInputElement>('#visualise-steps');
  readonly #progress = $<HTMLProgressElement>('#visualise-progress');
  readonly #status = $<HTMLElement>('#visualise-status');
  readonly #caption = $<HTMLElement>('#layer-caption');

  constructor() {
    this.#pick.addEventListener('change', () => {
      this.#clearVisual();
      void this.#showActivations();
    });
    this.#run.addEventListener('click', () => void this.visualise());
    this.#cancel.addEventListener('click', () => this.#visualAbort.abort());
  }

  /** Resolves when the activations and any visualisation have finished. */
  get settled(): Promise<void> {
    return Promise.all([this.#activationWork, this.#visualWork]).then(() => undefined);
  }

  /** A new model: its layers fill the picker (none for black boxes such as ONNX). */
  setModel(model: DemoModel): void {
    this.#model = model;
    this.#clearVisual();
    let layers: LayerInfo[] = [];
    if (model.differentiable) layers = listLayers(model.model);
    this.stats.layers = layers.map((l) => l.name);
    this.#panel.dataset['state'] = layers.length ? 'ready' : 'unavailable';
    $<HTMLElement>('#layer-unavailable').hidden = layers.length > 0;
    $<HTMLElement>('#layer-tools').hidden = layers.length === 0;
    this.#pick.replaceChildren(
      ...layers.map((l) => Object.assign(document.createElement('option'), { value: l.name, textContent: describeLayer(l) })),
    );
    // The middle layer: early layers show edges and colours, the last one is CAM's.
    if (layers.length) this.#pick.value = layers[Math.floor((layers.length - 1) / 2)]!.name;
    if (!layers.length) {
      this.#activations.activations = undefined;
      this.stats.visual.state = 'unavailable';
      delete this.stats.layer;
      delete this.stats.activations;
    }
  }

  /** A new image: the activations follow (latest wins). */
  setImage(pixels: Float32Array): Promise<void> {
    this.#pixels = pixels;
    return this.#showActivations();
  }

  #showActivations(): Promise<void> {
    const model = this.#model;
    const pixels = this.#pixels;
    const layer = this.#pick.value;
    if (!model || !pixels || !layer || !this.stats.layers.length) return this.#activationWork;
    const generation = ++this.#generation;
    const run = this.#activationWork.then(async () => {
      if (generation !== this.#generation) return; // a newer image or layer is queued
      const preprocess = preprocessOf(model);
      const input = tf.tensor4d(pixels, [1, model.height, model.width, model.channels]);
      try {
        const r = await layerActivations(model.model, input, { layer, sort: true, ...(preprocess ? { preprocess } : {}) });
        const [a] = r.layers;
        try {
          const activation = await hostCopy(a!.activation);
          const means = Array.from((await a!.mean.data()) as Float32Array);
          const order = a!.order[0]!;
          if (generation !== this.#generation) return;
          this.#order = order;
          this.#activations.label = `${layer}: activations for this image, strongest first`;
          this.#activations.order = order;
          this.#activations.values = order.map((c) => means[c]!);
          this.#activations.activations = activation;
          this.stats.layer = layer;
          this.stats.activations = { channels: order, means: order.map((c) => means[c]!), shape: [...a!.activation.shape] };
          this.stats.activationRuns++;
          this.#caption.textContent = `${order.length} channels of ${layer} for this image (${a!.activation.shape[1]} x ${a!.activation.shape[2]} each, grey: low to high), sorted by mean activation; hover or focus a tile for its value, click or Enter to enlarge.`;
        } finally {
          for (const l of r.layers) tf.dispose([l.activation, l.mean, l.mosaic]);
        }
        await this.#activations.renderComplete;
      } finally {
        input.dispose();
      }
    });
    this.#activationWork = run.catch((error: unknown) => {
      console.warn('layer activations failed:', error);
      this.#caption.textContent = `The activations could not be computed: ${(error as Error).message}`;
    });
    return this.#activationWork;
  }

  #clearVisual(): void {
    this.#visualAbort.abort();
    this.#visualised.images = undefined;
    this.#visualised.values = undefined;
    this.#visualised.hidden = true;
    this.stats.visual = { state: 'idle', channels: [], progressUpdates: 0 };
    this.#status.textContent = '';
  }

  /** Activation maximisation of the current image's strongest channels of the picked layer. */
  visualise(): Promise<void> {
    const model = this.#model;
    const layer = this.stats.layer;
    if (!model || !layer || !this.#order.length) return this.#visualWork;
    this.#clearVisual();
    const abort = (this.#visualAbort = new AbortController());
    const channels = this.#order.slice(0, Number(this.#count.value));
    const steps = Math.max(1, Math.min(1024, Math.round(Number(this.#steps.value)) || 64));
    const run = this.#visualWork.then(() => this.#visualiseNow(model, layer, channels, steps, abort.signal));
    this.#visualWork = run.catch(() => undefined);
    return run;
  }

  async #visualiseNow(model: DemoModel, layer: string, channels: number[], steps: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const visual: LayerStats['visual'] = { state: 'running', channels, progressUpdates: 0, done: 0, total: steps };
    this.stats.visual = visual;
    this.#run.disabled = true;
    this.#cancel.disabled = false;
    this.#progress.hidden = false;
    this.#progress.max = steps;
    this.#progress.value = 0;
    this.#visualised.hidden = false;
    this.#visualised.label = `${layer}: what channels ${channels.join(', ')} respond to most`;
    this.#visualised.channels = channels;
    this.#status.textContent = `Optimising ${channels.length} images, step 0 of ${steps}…`;
    const preprocess = preprocessOf(model);
    // Partial images are valid only during the callback: copy them there, read the copy later.
    let drawing: Promise<void> = Promise.resolve();
    try {
      const v = await visualizeFeature(model.model, {
        layer,
        channels,
        steps,
        seed: 1,
        progressEvery: Math.max(1, Math.min(16, Math.round(steps / 8))), // about 8 pictures, at least every 16 steps
        signal,
        ...(preprocess ? { preprocess } : {}),
        onProgress: (p) => {
          const copy = tf.clone(p.images);
          visual.done = p.done;
          visual.firstObjective ??= [...p.objective];
          this.#progress.value = p.done;
          this.#status.textContent = `Optimising ${channels.length} images, step ${p.done} of ${p.total}…`;
          drawing = drawing.then(async () => {
            try {
              const images = await hostCopy(copy);
              if (this.stats.visual !== visual) return; // cleared meanwhile
              this.#visualised.images = images;
              await this.#visualised.renderComplete;
              visual.progressUpdates++;
            } finally {
              copy.dispose();
            }
          });
        },
      });
      await drawing;
      try {
        visual.firstObjective = v.objective[0] ?? visual.firstObjective ?? [];
        Object.assign(visual, {
          state: 'done',
          finalObjective: v.finalObjective,
          imageShape: [...v.images.shape],
          timeMs: v.timeMs,
          done: steps,
        });
        this.#visualised.values = v.finalObjective;
        this.#visualised.images = await hostCopy(v.images);
        await this.#visualised.renderComplete;
        this.#status.textContent = `${channels.length} channels visualised in ${steps} steps (${(v.timeMs / 1000).toFixed(1)} s); the objective is each channel's mean activation on its image.`;
      } finally {
        v.images.dispose();
      }
    } catch (error) {
      await drawing.catch(() => undefined);
      if (error instanceof AbortedError || signal.aborted) {
        visual.state = 'cancelled';
        this.#status.textContent = `Cancelled after step ${visual.done} of ${steps}; the images so far are shown.`;
      } else {
        visual.state = 'failed';
        Object.assign(visual, { error: (error as Error).message });
        this.#status.textContent = `Visualisation failed: ${(error as Error).message}`;
      }
    } finally {
      this.#run.disabled = false;
      this.#cancel.disabled = true;
      this.#progress.hidden = true;
    }
  }
}
