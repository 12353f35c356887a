// SPDX-License-Identifier: Apache-2.0
import { Task } from '@lit/task';
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import * as tf from '@tensorflow/tfjs';
import {
  adaptModel,
  disposeResult,
  explain,
  isWebGPUBackend,
  listMethods,
  tfjsDevice,
  type ModelAdapter,
  type ModelInput,
} from '@webxai/core';
import { AbortedError, ModelError, XaiError, type BlendMode, type ColormapName, type SignMode } from '@webxai/shaders';
import { toImagePixels, type ImageInput, type ShapedArray } from '../shared/inputs.js';
import { fire, toXaiError, type XaiErrorDetail } from '../shared/events.js';
import { SerialLane } from '../shared/serial-lane.js';
import { explainerStyles } from './explainer-styles.js';
import { loadModelFromUrl } from './load-model.js';
import { imageToInput, topPredictions, type Prediction } from './model-input.js';
import '../heatmap/xai-heatmap.js';

export type { Prediction } from './model-input.js';

/** Progress as `explain` reports it. */
export interface ExplainProgress {
  readonly done: number;
  readonly total: number;
}

/** What `<xai-explainer>` passes to its explain function (a subset of @webxai/core's options). */
export interface ExplainCallOptions {
  readonly method: string;
  readonly target: number;
  readonly signal: AbortSignal;
  readonly onProgress: (progress: ExplainProgress) => void;
  readonly [option: string]: unknown;
}

/** The part of an `explain()` result the element uses. */
export interface ExplainResultLike {
  readonly attribution: tf.Tensor;
  readonly target?: readonly number[];
  readonly timeMs?: number;
  readonly [field: string]: unknown;
}

/** Signature of @webxai/core's `explain`, as the element calls it (injectable for other explainers). */
export type ExplainFn = (model: ModelInput, input: tf.Tensor, options: ExplainCallOptions) => Promise<ExplainResultLike>;

/** Detail of `xai-explained`. The element owns `result.attribution` and disposes it when replaced or removed. */
export interface ExplainedDetail {
  readonly result: ExplainResultLike;
  readonly method: string;
  readonly target: number;
  readonly timing: { readonly explainMs: number; readonly totalMs: number };
}

/** A queued piece of work (prepare or explain); `signal` aborts when a newer job supersedes it. */
type Job = (signal: AbortSignal) => Promise<void>;

/** Lifecycle state, reflected as the `state` attribute. */
export type ExplainerState = 'idle' | 'loading' | 'ready' | 'explaining' | 'done' | 'cancelled' | 'error';

// Core's explain is generic over a method registry; the element passes options through unchecked.
const coreExplain: ExplainFn = (model, input, options) => (explain as unknown as ExplainFn)(model, input, options);

/**
 * `<xai-explainer>`: runs an attribution method on a model and an image, and shows the result.
 * Shows the model's top-k classes (pick one to explain), a method picker, a progress bar with a
 * cancel button, and the attribution in an `<xai-heatmap>`.
 *
 * The image is converted to float32 pixels in [0, 1] (see `pixel-scale`) and resized to the model's
 * input size when the model declares one; the heatmap shows the resized image.
 *
 * On tfjs's webgpu backend the heatmap is handed the attribution tensor itself and draws it from GPU
 * memory: nothing is read back per explanation (the legend numbers arrive through the heatmap's
 * asynchronous read-out). On the cpu backend, or with `renderer="canvas2d"`, it gets the values.
 *
 * @example
 * ```html
 * <xai-explainer model="/models/mobilenet/model.json" method="integrated-gradients"></xai-explainer>
 * <script type="module">
 *   const el = document.querySelector('xai-explainer');
 *   el.labels = IMAGENET_CLASSES;
 *   el.image = 'cat.jpg';
 *   el.addEventListener('xai-explained', (e) => console.log(e.detail.timing));
 * </script>
 * ```
 *
 * @fires xai-predicted - top-k classes are known; detail `{ predictions: Prediction[] }`
 * @fires xai-explained - an explanation finished; detail {@link ExplainedDetail}
 * @fires xai-error - the model could not be loaded or run, or explaining failed; detail {@link XaiErrorDetail}
 * @csspart toolbar - method picker and buttons
 * @csspart method-picker - the `<select>` of methods
 * @csspart explain-button - starts an explanation
 * @csspart cancel-button - aborts the running explanation
 * @csspart predictions - the list of top-k classes
 * @csspart prediction - one class button (aria-pressed when it is the explained class)
 * @csspart progress - the `<progress>` bar
 * @csspart status - status line
 * @csspart heatmap - the `<xai-heatmap>`
 * @csspart error - the error message
 * @cssprop [--xai-explainer-accent=#1a73e8] - accent colour of the selected class
 * @cssprop [--xai-explainer-error-color=#b00020] - colour of the error message
 */
export class XaiExplainer extends LitElement {
  static override properties = {
    model: { attribute: 'model', converter: { fromAttribute: (v: string | null) => v ?? undefined } },
    image: { attribute: false },
    labels: { attribute: false },
    methods: { attribute: false },
    method: { type: String, reflect: true },
    methodOptions: { attribute: false },
    target: { type: Number },
    topK: { type: Number, attribute: 'top-k' },
    autoExplain: { type: Boolean, attribute: 'auto-explain' },
    pixelScale: { type: Number, attribute: 'pixel-scale' },
    preprocess: { attribute: false },
    explainFn: { attribute: false },
    colormap: { type: String },
    signed: { type: String },
    mode: { type: String },
    clip: { type: Number },
    opacity: { type: Number },
    renderer: { type: String },
    device: { attribute: false },
    state: { type: String, reflect: true },
    _predictions: { state: true },
    _progress: { state: true },
    _error: { state: true },
    _attribution: { state: true },
    _displayImage: { state: true },
    _status: { state: true },
  };

  static override styles = explainerStyles;

  /** A tf.LayersModel, tf.GraphModel, scoring function or black box, or the URL of a model.json. */
  declare model: ModelInput | string | undefined;
  /** The image to explain (see `<xai-heatmap>`'s `image`). */
  declare image: ImageInput | undefined;
  /** Class labels by index (shown as text, never as HTML). */
  declare labels: readonly string[];
  /** Methods offered in the picker; default: every method @webxai/core's explain knows. */
  declare methods: readonly string[] | undefined;
  /** The selected method (default: the first offered). */
  declare method: string;
  /** Extra options passed to explain (e.g. `{ steps: 32 }`). */
  declare methodOptions: Readonly<Record<string, unknown>>;
  /** Class to explain; default: the top prediction. Set by picking a class. */
  declare target: number | undefined;
  /** How many predicted classes to list (default 5). */
  declare topK: number;
  /** Explain as soon as model and image are ready, and whenever method or class change (default true). */
  declare autoExplain: boolean;
  /** Pixel values are bytes / 255 * pixelScale (default 1: inputs in [0, 1]; 255 for [0, 255]). */
  declare pixelScale: number;
  /**
   * Applied to the pixels before the model (e.g. [0, 1] -> [-1, 1]) for the listed predictions; pass the
   * same function in `methodOptions.preprocess` so explanations use it too (core's `preprocess` option).
   */
  declare preprocess: ((x: tf.Tensor4D) => tf.Tensor4D) | undefined;
  /** The explain function; default @webxai/core's `explain`. Inject another for custom explainers or tests. */
  declare explainFn: ExplainFn;
  declare colormap: ColormapName;
  declare signed: SignMode;
  declare mode: BlendMode;
  declare clip: number;
  declare opacity: number;
  declare renderer: 'auto' | 'webgpu' | 'canvas2d';
  /** GPUDevice for the heatmap; default: tfjs's device when the tfjs backend is webgpu (shared, no second device). */
  declare device: GPUDevice | undefined;
  declare state: ExplainerState;
  declare _predictions: readonly Prediction[];
  declare _progress: ExplainProgress | undefined;
  declare _error: XaiError | undefined;
  /** What the heatmap draws: the result's tensor itself when it can draw it from GPU memory, else its values. */
  declare _attribution: ShapedArray | tf.Tensor | undefined;
  declare _displayImage: ImageData | undefined;
  declare _status: string;

  #loaded: { model: ModelInput; adapter: ModelAdapter; preprocess?: (x: tf.Tensor4D) => tf.Tensor4D } | undefined;
  #loadedFrom: unknown;
  #input: tf.Tensor3D | undefined;
  #result: ExplainResultLike | undefined;
  /** Results being disposed once the heatmap no longer draws from them (see {@link #retire}). */
  #retiring: Promise<void> = Promise.resolve();
  /**
   * One run per scheduled job (prepare or explain). Starting a run aborts the signal of the run before
   * it, so a superseded job stops at its next check and never shows its result; the jobs themselves
   * execute one after another on {@link #lane}, because they share the model, input and result tensors.
   */
  #runs = new Task(this, {
    autoRun: false,
    task: ([job]: readonly [Job], { signal }: { signal: AbortSignal }) => this.#lane.runUnlessSuperseded(signal, () => job(signal)),
  });
  /** Every job and release requested so far, in order. */
  #lane = new SerialLane(this);
  /** The user's Cancel for the running explanation (separate: cancelling shows "Cancelled", superseding shows nothing). */
  #cancel: AbortController | undefined;
  #preparePending = 0;

  constructor() {
    super();
    this.model = undefined;
    this.image = undefined;
    this.labels = [];
    this.methods = undefined;
    this.method = '';
    this.methodOptions = {};
    this.target = undefined;
    this.topK = 5;
    this.autoExplain = true;
    this.pixelScale = 1;
    this.preprocess = undefined;
    this.explainFn = coreExplain;
    this.colormap = 'turbo';
    this.signed = 'absolute';
    this.mode = 'overlay';
    this.clip = 99;
    this.opacity = 0.5;
    this.renderer = 'auto';
    this.device = undefined;
    this.state = 'idle';
    this._predictions = [];
    this._progress = undefined;
    this._error = undefined;
    this._attribution = undefined;
    this._displayImage = undefined;
    this._status = '';
  }

  /** The methods the picker offers. */
  get availableMethods(): readonly string[] {
    return this.methods?.length ? this.methods : listMethods();
  }

  /** The top-k predictions of the current image. */
  get predictions(): readonly Prediction[] {
    return this._predictions;
  }

  /** The error currently shown, if any. */
  get error(): XaiError | undefined {
    return this._error;
  }

  /** Resolves when loading, predicting and explaining requested so far have settled, and the heatmap has drawn. */
  get settled(): Promise<void> {
    return this.updateComplete
      .then(() => this.#lane.idle)
      .then(() => this.updateComplete)
      .then(() => this.renderRoot.querySelector('xai-heatmap')?.renderComplete)
      .then(() => this.#retiring);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#runs.abort();
    // Queue the release behind any job in flight, so nothing it allocates survives.
    void this.#lane.run(() => this.#release());
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) this.#schedulePrepare();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!this.method || !this.availableMethods.includes(this.method)) this.method = this.availableMethods[0] ?? '';
    if (
      changed.has('model') ||
      changed.has('image') ||
      changed.has('pixelScale') ||
      changed.has('preprocess') ||
      changed.has('topK') ||
      changed.has('labels')
    ) {
      this.#schedulePrepare();
    } else if (
      this.autoExplain &&
      this.hasUpdated &&
      !this.#preparePending && // a pending prepare explains with the newest method and class anyway
      (changed.has('method') || changed.has('target') || changed.has('methodOptions') || changed.has('explainFn'))
    ) {
      this.#schedule((signal) => this.#explain(signal));
    }
  }

  /** Runs the selected method for the selected class now. Resolves when it has finished (or failed). */
  runExplain(): Promise<void> {
    if (!this.#preparePending) this.#schedule((signal) => this.#explain(signal));
    return this.settled;
  }

  /** Aborts a running explanation (the element shows "Cancelled"). */
  cancel(): void {
    this.#cancel?.abort(new AbortedError('cancelled by the user'));
  }

  #schedulePrepare(): void {
    // Counted until the prepare starts its own explanation (or ends): from then on a new method or
    // class must schedule an explanation of its own, which supersedes the one the prepare started.
    let counted = true;
    const uncount = () => {
      if (counted) this.#preparePending--;
      counted = false;
    };
    this.#preparePending++;
    this.#schedule((signal) => this.#prepare(signal, uncount), uncount);
  }

  /** Supersedes whatever job is queued or running with `job`; `settled` runs once `job` has finished or been skipped. */
  #schedule(job: Job, settled?: () => void): void {
    // Job failures are shown by the jobs themselves; the task's own rejection carries nothing new.
    void this.#runs.run([job]).catch(() => undefined);
    // On the lane right behind the job (run() queues it synchronously), so `settled` awaits it too.
    if (settled) void this.#lane.run(settled);
  }

  async #prepare(signal: AbortSignal, explaining: () => void): Promise<void> {
    const stale = () => this.#lane.superseded(signal);
    this.#disposeInput();
    this.#disposeResult();
    this._predictions = [];
    this._attribution = undefined;
    this._displayImage = undefined;
    this._error = undefined;
    if (this.model === undefined || this.model === null || this.image === undefined || this.image === null) {
      this.state = 'idle';
      this._status = this.model === undefined ? 'Waiting for a model.' : 'Waiting for an image.';
      return;
    }
    try {
      this.state = 'loading';
      this._status = 'Loading the model…';
      const loaded = await this.#loadModel(signal);
      if (stale()) return;
      this._status = 'Reading the image…';
      const pixels = await toImagePixels(this.image, signal);
      if (stale()) return;
      const { input, display } = await imageToInput(pixels, loaded.adapter.inputShape, this.pixelScale);
      if (stale()) {
        input.dispose();
        return;
      }
      this.#input = input;
      this._displayImage = display;
      this._status = 'Predicting…';
      const predictions = await topPredictions(loaded.adapter, input, this.labels, this.topK, signal);
      if (stale()) return;
      this._predictions = predictions;
      this.state = 'ready';
      this._status = '';
      fire(this, 'xai-predicted', { predictions });
      explaining(); // the method and class are read now: later picks are no longer covered by this job
      if (this.autoExplain) await this.#explain(signal);
    } catch (e) {
      if (stale()) return;
      this.#fail(e, 'model-error');
    }
  }

  async #loadModel(signal: AbortSignal): Promise<{ model: ModelInput; adapter: ModelAdapter }> {
    // The adapter applies `preprocess` to predictions; a new function re-adapts the same model.
    const source = this.model!;
    const preprocess = this.preprocess ? { preprocess: this.preprocess } : {};
    if (this.#loaded && this.#loadedFrom === source) {
      if (this.#loaded.preprocess !== this.preprocess)
        this.#loaded = { model: this.#loaded.model, adapter: adaptModel(this.#loaded.model, preprocess), ...preprocess };
      return this.#loaded;
    }
    this.#disposeModel();
    const model = typeof source === 'string' ? await loadModelFromUrl(source, signal) : source;
    // adaptModel checks the kind (UnsupportedModelError names what it got).
    this.#loaded = { model, adapter: adaptModel(model, preprocess), ...preprocess };
    this.#loadedFrom = source;
    return this.#loaded;
  }

  async #explain(signal: AbortSignal): Promise<void> {
    const input = this.#input;
    const loaded = this.#loaded;
    if (!input || !loaded || this.state === 'error' || this.state === 'loading' || this.state === 'idle') return;
    const stale = () => this.#lane.superseded(signal);
    const cancel = (this.#cancel = new AbortController());
    const target = this.target ?? this._predictions[0]?.index ?? 0;
    const method = this.method;
    this.state = 'explaining';
    this._status = `Explaining class “${this.#label(target)}” with ${method}…`;
    this._progress = { done: 0, total: 0 };
    this._error = undefined;
    const started = performance.now();
    try {
      const result = await this.#callExplain(loaded.model, input, method, target, AbortSignal.any([signal, cancel.signal]), stale);
      const explainMs = performance.now() - started;
      if (stale()) {
        if (result) disposeResult(result);
        return;
      }
      if (!result || !(result.attribution instanceof tf.Tensor)) {
        throw new ModelError(`explain returned no attribution tensor (got ${result === null ? 'null' : typeof result})`);
      }
      const shown = await this.#drawable(result.attribution);
      if (stale()) {
        disposeResult(result);
        return;
      }
      this.#showResult(result, shown, method, target, result.timeMs ?? explainMs, performance.now() - started);
    } catch (e) {
      if (stale()) return;
      this.#explainFailed(e);
    }
  }

  /** The explain function with the element's options; its failures become XaiErrors. */
  async #callExplain(
    model: ModelInput,
    input: tf.Tensor3D,
    method: string,
    target: number,
    signal: AbortSignal,
    stale: () => boolean,
  ): Promise<ExplainResultLike> {
    try {
      return await this.explainFn(model, input, {
        ...this.methodOptions,
        method,
        target,
        signal,
        onProgress: (p) => {
          if (!stale()) this._progress = { done: p.done, total: p.total };
        },
      });
    } catch (cause) {
      if (cause instanceof XaiError) throw cause;
      if (signal.aborted) throw new AbortedError('explanation cancelled', { cause });
      throw new ModelError(`explaining with ${method} failed: ${(cause as Error)?.message ?? cause}`, { cause });
    }
  }

  /**
   * What the heatmap is handed: on tfjs's webgpu backend the attribution tensor itself, which the
   * heatmap draws from its GPU buffer with no readback (its legend numbers arrive through its own
   * asynchronous read-out); otherwise the values, read once here, as before.
   */
  async #drawable(attribution: tf.Tensor): Promise<ShapedArray | tf.Tensor> {
    if (this.#drawsOnGpu(attribution)) return attribution;
    return { data: await attribution.data(), shape: attribution.shape };
  }

  /** Whether the heatmap can draw `attribution` from GPU memory: a float32 webgpu tensor, drawn with WebGPU on tfjs's device. */
  #drawsOnGpu(attribution: tf.Tensor): boolean {
    if (this.renderer === 'canvas2d' || attribution.dtype !== 'float32' || !isWebGPUBackend()) return false;
    try {
      return !this.device || this.device === tfjsDevice();
    } catch {
      return false;
    }
  }

  #showResult(
    result: ExplainResultLike,
    shown: ShapedArray | tf.Tensor,
    method: string,
    target: number,
    explainMs: number,
    totalMs: number,
  ): void {
    this.#disposeResult();
    this.#result = result;
    this._attribution = shown;
    this._progress = undefined;
    this.state = 'done';
    this._status = `${method} for “${this.#label(target)}” in ${Math.round(explainMs)} ms`;
    fire<ExplainedDetail>(this, 'xai-explained', { result, method, target, timing: { explainMs, totalMs } });
  }

  #explainFailed(e: unknown): void {
    this._progress = undefined;
    if (e instanceof AbortedError || (e instanceof XaiError && e.code === 'aborted')) {
      this.state = 'cancelled';
      this._status = 'Cancelled.';
      return;
    }
    this.#fail(e, 'model-error');
  }

  #label(index: number): string {
    return this.labels[index] ?? `class ${index}`;
  }

  #fail(e: unknown, code: 'model-error' | 'invalid-input'): void {
    const error = toXaiError(e, code);
    this._error = error;
    this._attribution = undefined;
    this.#disposeResult();
    this.state = 'error';
    this._status = '';
    fire<XaiErrorDetail>(this, 'xai-error', { error });
  }

  #disposeResult(): void {
    this.#retire(this.#result);
    this.#result = undefined;
  }

  /**
   * Disposes every tensor of `result` (CAM's `map`, LIME's segments, ...), not only the attribution,
   * once the heatmap has drawn what replaced it: until then the heatmap may still read the
   * attribution's GPU buffer, which tfjs would hand to another tensor as soon as it is disposed.
   */
  #retire(result: ExplainResultLike | undefined): void {
    if (!result) return;
    this.#retiring = this.#retiring
      .then(() => this.updateComplete)
      .then(() => this.renderRoot.querySelector('xai-heatmap')?.drawComplete)
      .catch(() => undefined)
      .then(() => disposeResult(result));
  }

  #disposeInput(): void {
    this.#input?.dispose();
    this.#input = undefined;
  }

  #disposeModel(): void {
    // Only models the element loaded itself are disposed; a model object passed in belongs to the caller.
    if (typeof this.#loadedFrom === 'string' && this.#loaded) (this.#loaded.model as tf.LayersModel | tf.GraphModel).dispose();
    this.#loaded = undefined;
    this.#loadedFrom = undefined;
  }

  #release(): void {
    this.#disposeResult();
    this.#disposeInput();
    this.#disposeModel();
  }

  #heatmapDevice(): GPUDevice | undefined {
    if (this.device) return this.device;
    try {
      return tf.getBackend() === 'webgpu' ? tfjsDevice() : undefined;
    } catch {
      return undefined;
    }
  }

  #pick(index: number): void {
    this.target = index;
  }

  override render() {
    const running = this.state === 'explaining';
    const target = this.target ?? this._predictions[0]?.index;
    const progress = this._progress;
    return html`
      <div part="toolbar">
        <label
          >Method
          <select part="method-picker" .value=${this.method} @change=${(e: Event) => (this.method = (e.target as HTMLSelectElement).value)}>
            ${this.availableMethods.map((m) => html`<option value=${m} ?selected=${m === this.method}>${m}</option>`)}
          </select>
        </label>
        <button part="explain-button" ?disabled=${running || !this.#input} @click=${() => void this.runExplain()}>Explain</button>
        <button part="cancel-button" ?disabled=${!running} @click=${() => this.cancel()}>Cancel</button>
      </div>
      ${
        this._predictions.length
          ? html`<div part="predictions" role="group" aria-label="Predicted classes: pick one to explain">
              ${this._predictions.map(
                (p) =>
                  html`<button part="prediction" aria-pressed=${p.index === target ? 'true' : 'false'} @click=${() => this.#pick(p.index)}>
                    ${p.label} — ${(p.probability * 100).toFixed(1)}%
                  </button>`,
              )}
            </div>`
          : nothing
      }
      <progress part="progress" ?hidden=${!running} max=${progress?.total || 1} .value=${progress?.total ? progress.done : 0}></progress>
      <div part="status" role="status" aria-live="polite">${this._status}</div>
      ${this._error ? html`<div part="error" role="alert">${this._error.message}</div>` : nothing}
      ${
        this._attribution && !this._error
          ? html`<xai-heatmap
              part="heatmap"
              .image=${this._displayImage}
              .attribution=${this._attribution}
              .colormap=${this.colormap}
              .signed=${this.signed}
              .mode=${this.mode}
              .clip=${this.clip}
              .opacity=${this.opacity}
              .renderer=${this.renderer}
              .device=${this.#heatmapDevice()}
              .label=${this.method}
            ></xai-heatmap>`
          : nothing
      }
    `;
  }
}

if (!customElements.get('xai-explainer')) customElements.define('xai-explainer', XaiExplainer);

declare global {
  interface HTMLElementTagNameMap {
    'xai-explainer': XaiExplainer;
  }
}
