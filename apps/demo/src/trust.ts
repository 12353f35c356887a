// SPDX-License-Identifier: Apache-2.0
// The trust view: each picked method scored by each metric on the current image (core's trustReport),
// and every method's deletion / insertion curve in <xai-curve>. Scores are computed only when asked
// (they cost many forward passes); a new image, class or model clears them, and Cancel stops a run.
import * as tf from '@tensorflow/tfjs';
import { disposeTrustReport, evaluate, trustReport, type EvaluateOptions, type TrustReport } from '@webxai/core';
import { AbortedError } from '@webxai/shaders';
import type { XaiCurve } from '@webxai/ui';
import { GRID_METHODS, methodOptions, PREDICTION_GRID_METHODS } from './methods.js';
import { preprocessOf, type DemoModel } from './models.js';
import { TRUST_METRICS, metricOptions, type TrustMetric } from './trust-metrics.js';

/** One table cell: a method's score by a metric (the mean over the one image). */
export interface TrustCell {
  readonly method: string;
  readonly metric: string;
  readonly score: number;
}

/** What the page shows and the e2e test reads (window.webxaiDemo.trust). */
export interface TrustStats {
  state: 'idle' | 'running' | 'done' | 'cancelled' | 'failed';
  /** "k/n: method" while running. */
  progress?: string;
  methods: string[];
  metrics: string[];
  cells: TrustCell[];
  /** Per curve metric, per method: the curve's points (steps + 1 values). */
  curves: Record<string, { method: string; y: number[] }[]>;
  /** Completed runs. */
  runs: number;
  error?: string;
}

/** The image being scored: [h, w, c] pixels in [0, 1], the class, and its ground-truth mask if it has one. */
export interface TrustImage {
  readonly pixels: Float32Array;
  readonly target: number | 'predicted';
  /** 0/1 per pixel (h * w), when the picture comes with one (shapes data set). */
  readonly mask?: Uint8Array;
}

const $ = <T extends Element>(selector: string) => document.querySelector<T>(selector)!;
const DEFAULT_METHODS = new Set(['saliency', 'integrated-gradients', 'grad-cam', 'occlusion', 'rise']);
const CURVE_METRICS = ['deletion', 'insertion'] as const;

/** Three significant digits, as the table shows scores. */
const formatScore = (v: number) => (Number.isFinite(v) ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3)) : String(v));

export class TrustView {
  readonly stats: TrustStats = { state: 'idle', methods: [], metrics: [], cells: [], curves: {}, runs: 0 };
  #model: DemoModel | undefined;
  #image: TrustImage | undefined;
  #abort = new AbortController();
  #work: Promise<void> = Promise.resolve();
  readonly #form = $<HTMLFormElement>('#trust-form');
  readonly #methods = $<HTMLElement>('#trust-methods');
  readonly #run = $<HTMLButtonElement>('#trust-run');
  readonly #cancel = $<HTMLButtonElement>('#trust-cancel');
  readonly #status = $<HTMLElement>('#trust-status');
  readonly #progress = $<HTMLProgressElement>('#trust-progress');
  readonly #table = $<HTMLTableElement>('#trust-table');
  readonly #curves = Object.fromEntries(CURVE_METRICS.map((m) => [m, $<XaiCurve>(`#${m}-curve`)])) as Record<
    (typeof CURVE_METRICS)[number],
    XaiCurve
  >;

  constructor() {
    this.#form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.run();
    });
    this.#cancel.addEventListener('click', () => this.#abort.abort());
  }

  /** Resolves when the latest run (if any) has ended. */
  get settled(): Promise<void> {
    return this.#work;
  }

  /** A new model: the method choice follows what it can run; scores are cleared. */
  setModel(model: DemoModel): void {
    this.#model = model;
    const methods = model.differentiable ? GRID_METHODS : PREDICTION_GRID_METHODS;
    this.#methods.replaceChildren(
      ...methods.map(({ method, label }) => {
        const box = Object.assign(document.createElement('input'), {
          type: 'checkbox',
          name: 'method',
          value: method,
          checked: DEFAULT_METHODS.has(method),
        });
        const wrap = document.createElement('label');
        wrap.append(box, ` ${label}`);
        return wrap;
      }),
    );
    this.#reset();
  }

  /** A new image or class: scores of the previous one are cleared. */
  setImage(image: TrustImage): void {
    this.#image = image;
    this.#reset();
  }

  /** The metrics that apply to the current image (localisation ones only with a ground-truth mask). */
  #metrics(): TrustMetric[] {
    return TRUST_METRICS.filter((m) => !m.needsMask || this.#image?.mask);
  }

  #reset(): void {
    this.#abort.abort();
    Object.assign(this.stats, { state: 'idle', cells: [], curves: {}, methods: [], metrics: this.#metrics().map((m) => m.name) });
    delete this.stats.progress;
    delete this.stats.error;
    this.#status.textContent = this.#image?.mask
      ? 'This picture has a ground-truth mask (where the object is): the table adds pointing game and relevance mass. Press “Score the maps”.'
      : 'Press “Score the maps” to run the picked methods and score each map (this runs the model many times).';
    this.#render();
  }

  /** Runs core's trustReport for the picked methods on the current image, then the deletion / insertion curves. */
  run(): Promise<void> {
    const model = this.#model;
    const image = this.#image;
    if (!model || !image) return this.#work;
    this.#abort.abort();
    const abort = (this.#abort = new AbortController());
    const methods = [...this.#methods.querySelectorAll<HTMLInputElement>('input:checked')].map((b) => b.value);
    const run = this.#work.then(() => this.#score(model, image, methods, abort.signal));
    this.#work = run.catch(() => undefined);
    return run;
  }

  async #score(model: DemoModel, image: TrustImage, methods: string[], signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const metrics = this.#metrics();
    Object.assign(this.stats, { state: 'running', methods, metrics: metrics.map((m) => m.name), cells: [], curves: {} });
    delete this.stats.error;
    if (!methods.length) {
      this.#finish('failed', 'pick at least one method');
      return;
    }
    this.#cancel.disabled = false;
    this.#run.disabled = true;
    const preprocess = preprocessOf(model);
    const common = { ...(preprocess ? { preprocess } : {}) };
    const input = tf.tensor4d(image.pixels, [1, model.height, model.width, model.channels]);
    const mask = image.mask ? tf.tensor2d(Float32Array.from(image.mask), [model.height, model.width]) : undefined;
    const target = image.target === 'predicted' ? {} : { target: image.target };
    const evaluateOptions = metrics.map((m) => ({ ...metricOptions(m.name, model, mask), ...common }) as unknown as EvaluateOptions);
    try {
      for (const [k, method] of methods.entries()) {
        this.#setProgress(k, methods.length, method);
        const explain = methodOptions(method, model, { ...common, ...target });
        // One method per call, so the page can show progress between them.
        const report = await trustReport(model.model, input, { methods: [explain], metrics: evaluateOptions, ...target, signal });
        try {
          for (const row of report.rows) this.stats.cells.push({ method, metric: row.metric, score: row.mean });
          await this.#addCurves(model, input, report, method, evaluateOptions, signal);
        } finally {
          disposeTrustReport(report);
        }
        this.#render();
      }
      this.stats.runs++;
      this.#finish('done');
    } catch (error) {
      if (error instanceof AbortedError || signal.aborted) this.#finish('cancelled');
      else {
        console.warn('trust report failed:', error);
        this.#finish('failed', (error as Error).message);
      }
    } finally {
      tf.dispose([input, ...(mask ? [mask] : [])]);
      this.#cancel.disabled = true;
      this.#run.disabled = false;
    }
  }

  /**
   * The deletion and insertion curves of the report's map. trustReport returns scores, not curves, so
   * these two metrics run once more on the same map (deterministic: the curve's area is the table's score).
   */
  async #addCurves(
    model: DemoModel,
    input: tf.Tensor4D,
    report: TrustReport,
    method: string,
    options: EvaluateOptions[],
    signal: AbortSignal,
  ): Promise<void> {
    const map = report.maps[0]!;
    for (const metric of CURVE_METRICS) {
      const opts = options.find((o) => o.metric === metric);
      if (!opts) continue;
      const r = await evaluate(model.model, input, map.attribution, { ...opts, target: map.target, signal });
      (this.stats.curves[metric] ??= []).push({ method, y: Array.from(r.curves?.[0] ?? []) });
    }
  }

  #setProgress(done: number, total: number, method: string): void {
    this.stats.progress = `${done + 1}/${total}: ${method}`;
    this.#progress.hidden = false;
    this.#progress.max = total;
    this.#progress.value = done;
    this.#status.textContent = `Scoring method ${done + 1} of ${total} (${method})…`;
  }

  #finish(state: 'done' | 'cancelled' | 'failed', error?: string): void {
    this.stats.state = state;
    delete this.stats.progress;
    if (error) this.stats.error = error;
    this.#progress.hidden = true;
    this.#status.textContent =
      state === 'done'
        ? `Scored ${this.stats.methods.length} methods by ${this.stats.metrics.length} metrics on this image.`
        : state === 'cancelled'
          ? 'Cancelled; the scores so far are shown.'
          : `Scoring failed: ${error}`;
    this.#render();
  }

  #render(): void {
    const metrics = this.#metrics();
    const shown = metrics.filter((m) => this.stats.metrics.includes(m.name));
    const head = document.createElement('tr');
    head.append(
      Object.assign(document.createElement('th'), { scope: 'col', textContent: 'method' }),
      ...shown.map((m) => {
        const th = Object.assign(document.createElement('th'), { scope: 'col', title: m.meaning });
        th.append(
          m.label,
          ' ',
          Object.assign(document.createElement('span'), { className: 'better', textContent: m.better === 'higher' ? '↑' : '↓' }),
        );
        th.setAttribute('aria-label', `${m.label} (${m.better} is better)`);
        return th;
      }),
    );
    const best = new Map(shown.map((m) => [m.name, this.#best(m)]));
    const body = this.stats.methods.map((method) => {
      const tr = document.createElement('tr');
      tr.append(Object.assign(document.createElement('th'), { scope: 'row', textContent: method }));
      for (const m of shown) {
        const cell = this.stats.cells.find((c) => c.method === method && c.metric === m.name);
        const td = document.createElement('td');
        td.textContent = cell ? formatScore(cell.score) : this.stats.state === 'running' ? '…' : '–';
        if (cell && best.get(m.name) === cell.score) {
          td.dataset['best'] = '';
          td.title = `best ${m.label} in this table`;
        }
        tr.append(td);
      }
      return tr;
    });
    this.#table.tHead!.replaceChildren(head);
    this.#table.tBodies[0]!.replaceChildren(...body);
    this.#table.hidden = body.length === 0;
    for (const metric of CURVE_METRICS) {
      const curves = this.stats.curves[metric] ?? [];
      this.#curves[metric].curves = curves.filter((c) => c.y.length >= 2).map((c) => ({ label: c.method, y: c.y }));
      this.#curves[metric].closest('figure')!.hidden = curves.length === 0;
    }
    $<HTMLElement>('#trust').dataset['state'] = this.stats.state;
  }

  /** The best score of `metric` in the table (by its direction), if any. */
  #best(metric: TrustMetric): number | undefined {
    const scores = this.stats.cells.filter((c) => c.metric === metric.name).map((c) => c.score);
    if (scores.length < 2) return undefined;
    return metric.better === 'higher' ? Math.max(...scores) : Math.min(...scores);
  }
}
