// SPDX-License-Identifier: Apache-2.0
// Live mode: every camera frame, centre-cropped to the model's input, is explained by one prepared
// explainer (Grad-CAM by default); the map is smoothed over frames by an exponential moving average
// kept on the device. A frame that arrives while the previous one is still being explained is
// dropped, never queued, so the map never lags behind the camera. The camera stops when the tab is
// hidden and starts again when it is shown.
import * as tf from '@tensorflow/tfjs';
import { createExplainer, disposeResult, type Explainer, type MethodName } from '@webxai/core';
import { resizeGeometry } from '@webxai/core/io';
import type { XaiHeatmap } from '@webxai/ui';
import { openCamera, stopCamera } from './camera.js';
import { methodOptions } from './methods.js';
import { preprocessOf, type DemoModel } from './models.js';

/** Methods fast enough for a frame: one forward and one backward pass (or none). */
const LIVE_GRADIENT_METHODS = ['grad-cam', 'grad-cam++', 'xgrad-cam', 'layer-cam', 'eigen-cam', 'gradient-x-input', 'saliency'];

/** What the page shows and the e2e test reads (window.webxaiDemo.live). */
export interface LiveStats {
  camera: 'off' | 'on' | 'suspended';
  paused: boolean;
  method: string;
  /** Frames explained, and frames dropped because the previous one was still running. */
  frames: number;
  dropped: number;
  /** Explained frames per second over the last 10 frames, and the last frame's time (capture to map read back). */
  fps: number;
  frameMs: number;
  /** Frames whose smoothed map differed from the previous one (max |diff| > 1e-3). */
  mapChanges: number;
  predicted?: string;
  error?: string;
}

const $ = <T extends Element>(selector: string) => document.querySelector<T>(selector)!;

export class LiveMode {
  readonly stats: LiveStats = {
    camera: 'off',
    paused: false,
    method: 'grad-cam',
    frames: 0,
    dropped: 0,
    fps: 0,
    frameMs: 0,
    mapChanges: 0,
  };
  #model: DemoModel | undefined;
  #explainer: Explainer<MethodName> | undefined;
  #camera: { video: HTMLVideoElement; stream: MediaStream } | undefined;
  #ema: tf.Tensor2D | undefined;
  #previous: Float32Array | undefined;
  #busy: Promise<void> | undefined;
  #done: number[] = [];
  #smoothing = 0.6;
  readonly #heatmap = $<XaiHeatmap>('#live-heatmap');
  readonly #start = $<HTMLButtonElement>('#live-start');
  readonly #pause = $<HTMLButtonElement>('#live-pause');
  readonly #method = $<HTMLSelectElement>('#live-method');

  constructor(device: GPUDevice | undefined) {
    this.#heatmap.device = device;
    this.#start.addEventListener('click', () => void (this.stats.camera === 'off' ? this.start() : this.stop()));
    this.#pause.addEventListener('click', () => this.setPaused(!this.stats.paused));
    this.#method.addEventListener('change', () => this.#useMethod(this.#method.value));
    const ema = $<HTMLInputElement>('#live-ema');
    ema.addEventListener('input', () => {
      this.#smoothing = Number(ema.value);
      $('#live-ema-value').textContent = this.#smoothing.toFixed(2);
    });
    document.addEventListener('visibilitychange', () => void this.#onVisibility());
  }

  /** A new model (or new settings): a new explainer; the smoothed map starts over. */
  setModel(model: DemoModel): void {
    this.#model = model;
    const methods = model.differentiable ? LIVE_GRADIENT_METHODS : ['occlusion'];
    this.#method.replaceChildren(...methods.map((m) => Object.assign(document.createElement('option'), { value: m, textContent: m })));
    this.#useMethod(methods[0]!);
  }

  #useMethod(method: string): void {
    this.#method.value = method;
    this.stats.method = method;
    const model = this.#model;
    if (!model) return;
    const old = this.#explainer;
    const preprocess = preprocessOf(model);
    this.#explainer = createExplainer(
      model.model,
      methodOptions(method, model, { target: 'predicted', ...(preprocess ? { preprocess } : {}) }),
    );
    // The frame in flight still uses the old explainer: free it once that frame is done.
    void (this.#busy ?? Promise.resolve()).then(() => old?.dispose());
    this.#resetMap();
  }

  #resetMap(): void {
    this.#ema?.dispose();
    this.#ema = undefined;
    this.#previous = undefined;
  }

  async start(): Promise<void> {
    this.#status('Opening the camera…');
    try {
      this.#camera = await openCamera();
    } catch (e) {
      this.stats.error = e instanceof Error ? e.message : String(e);
      this.#status(`No live mode: ${this.stats.error}.`);
      return;
    }
    delete this.stats.error;
    this.stats.camera = 'on';
    this.#start.textContent = 'Stop camera';
    this.#pause.disabled = false;
    this.#status('Live.');
    this.#schedule(this.#camera.video);
  }

  /** Stops the camera; `suspended` when the tab was hidden (it restarts when shown). */
  async stop(suspended = false): Promise<void> {
    const camera = this.#camera;
    this.#camera = undefined;
    if (camera) stopCamera(camera.video, camera.stream);
    await this.#busy;
    this.stats.camera = suspended ? 'suspended' : 'off';
    this.stats.fps = 0;
    this.#done = [];
    this.#start.textContent = 'Start camera';
    this.#pause.disabled = true;
    this.#status(suspended ? 'Camera stopped: the tab is hidden. It starts again when you come back.' : 'Camera off.');
  }

  setPaused(paused: boolean): void {
    this.stats.paused = paused;
    if (!paused) this.#done = []; // the pause is not a slow frame
    this.#pause.textContent = paused ? 'Resume' : 'Pause';
    this.#pause.setAttribute('aria-pressed', String(paused));
    this.#status(paused ? 'Paused: the last map stays.' : 'Live.');
  }

  /** Resolves when no frame is being explained. */
  get idle(): Promise<void> {
    return this.#busy ?? Promise.resolve();
  }

  async #onVisibility(): Promise<void> {
    if (document.visibilityState === 'hidden' && this.stats.camera === 'on') await this.stop(true);
    else if (document.visibilityState === 'visible' && this.stats.camera === 'suspended') await this.start();
  }

  #schedule(video: HTMLVideoElement): void {
    const next = () => {
      if (this.#camera?.video !== video) return; // stopped
      this.#onFrame(video);
      video.requestVideoFrameCallback(next);
    };
    video.requestVideoFrameCallback(next);
  }

  #onFrame(video: HTMLVideoElement): void {
    if (this.stats.paused) return;
    if (this.#busy) {
      this.stats.dropped++;
      this.#showStats();
      return;
    }
    this.#busy = this.#explainFrame(video)
      .catch((e: unknown) => {
        this.stats.error = e instanceof Error ? e.message : String(e);
        this.#status(`The frame could not be explained: ${this.stats.error}`);
        this.setPaused(true);
      })
      .finally(() => (this.#busy = undefined));
  }

  async #explainFrame(video: HTMLVideoElement): Promise<void> {
    const model = this.#model;
    const explainer = this.#explainer;
    if (!model || !explainer) return;
    const started = performance.now();
    const frame = await explainFrame(video, model, explainer, this.#ema, this.#smoothing);
    this.#ema?.dispose();
    this.#ema = frame.ema;
    if (this.#previous && frame.map.some((v, i) => Math.abs(v - this.#previous![i]!) > 1e-3)) this.stats.mapChanges++;
    this.#previous = frame.map;
    this.#heatmap.image = frame.image;
    this.#heatmap.attribution = { data: frame.map, shape: [model.height, model.width] };
    this.stats.predicted = model.labels[frame.target] ?? `class ${frame.target}`;
    const now = performance.now();
    this.stats.frames++;
    this.stats.frameMs = now - started;
    this.#done = [...this.#done.slice(-9), now]; // the last 10 frames: steady at 30 fps and at 0.5 fps alike
    this.stats.fps = this.#done.length > 1 ? ((this.#done.length - 1) * 1000) / (now - this.#done[0]!) : 0;
    this.#showStats();
  }

  #showStats(): void {
    const s = this.stats;
    $('#live-fps').textContent = s.fps ? s.fps.toFixed(1) : '–';
    $('#live-ms').textContent = s.frameMs ? `${s.frameMs.toFixed(0)} ms` : '–';
    $('#live-frames').textContent = String(s.frames);
    $('#live-dropped').textContent = String(s.dropped);
    $('#live-class').textContent = s.predicted ?? '–';
  }

  #status(text: string): void {
    $('#live-status').textContent = text;
  }
}

/** The video frame, centre-cropped to the model's aspect ratio and scaled to [1, height, width, 3] in [0, 1]. */
export function cropFrame(video: HTMLVideoElement | HTMLCanvasElement, height: number, width: number): tf.Tensor4D {
  const w = 'videoWidth' in video ? video.videoWidth : video.width;
  const h = 'videoHeight' in video ? video.videoHeight : video.height;
  const { source } = resizeGeometry({ width: w, height: h }, { width, height }, 'crop');
  return tf.tidy(() => {
    const frame = tf.browser.fromPixels(video).toFloat().div(255).expandDims<tf.Tensor4D>(0);
    // cropAndResize boxes are [y1, x1, y2, x2] in [0, 1] of the frame, corners of the edge pixels.
    const box = [source.y / (h - 1), source.x / (w - 1), (source.y + source.height - 1) / (h - 1), (source.x + source.width - 1) / (w - 1)];
    // Clipped: tfjs's webgpu cropAndResize can return values slightly outside [0, 1] (seen: -0.0157).
    return tf.clipByValue<tf.Tensor4D>(tf.image.cropAndResize(frame, [box], [0], [height, width]), 0, 1);
  });
}

/** One explained frame: the smoothed map (read back), the cropped frame as shown, the explained class. */
export interface ExplainedFrame {
  /** The new moving average (the caller owns it and disposes the previous one). */
  readonly ema: tf.Tensor2D;
  readonly map: Float32Array;
  readonly image: ImageData;
  readonly target: number;
}

/**
 * Explains one frame of `source` for its top class: crop, explain, |map| summed over channels and
 * scaled to max 1 (so smoothing averages shapes, not magnitudes), then `ema = s * previous + (1 - s) * map`
 * on the device. Everything but the returned `ema` is freed.
 */
export async function explainFrame(
  source: HTMLVideoElement | HTMLCanvasElement,
  model: Pick<DemoModel, 'height' | 'width' | 'channels'>,
  explainer: Explainer<MethodName>,
  previous: tf.Tensor2D | undefined,
  smoothing: number,
): Promise<ExplainedFrame> {
  const { height, width, channels } = model;
  const rgb = cropFrame(source, height, width);
  const input = channels === 1 ? tf.tidy(() => tf.mean<tf.Tensor4D>(rgb, 3, true)) : rgb;
  try {
    const result = await explainer.explain(input);
    const map = tf.tidy(() => {
      const a = result.attribution.rank === 4 ? tf.sum(tf.abs(result.attribution), 3) : result.attribution;
      const m = tf.reshape<tf.Rank.R2>(a, [height, width]);
      return tf.div<tf.Tensor2D>(m, tf.maximum(tf.max(tf.abs(m)), 1e-12));
    });
    const target = result.target[0]!;
    disposeResult(result);
    const ema = previous ? tf.tidy(() => tf.add<tf.Tensor2D>(tf.mul(previous, smoothing), tf.mul(map, 1 - smoothing))) : map.clone();
    map.dispose();
    const shown = tf.squeeze<tf.Tensor3D>(rgb, [0]);
    try {
      const [data, pixels] = await Promise.all([ema.data() as Promise<Float32Array>, tf.browser.toPixels(shown)]);
      return { ema, map: data, image: new ImageData(new Uint8ClampedArray(pixels), width, height), target };
    } catch (e) {
      ema.dispose();
      throw e;
    } finally {
      shown.dispose();
    }
  } finally {
    tf.dispose(channels === 1 ? [rgb, input] : [rgb]);
  }
}
