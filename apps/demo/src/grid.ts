// SPDX-License-Identifier: Apache-2.0
// The comparison grid: every grid method explains the same image; maps go to <xai-compare>, and a
// table lists each method's time, execution path and tfjs backend.
import type * as tf from '@tensorflow/tfjs';
import { createExplainer, disposeResult, type Explainer, type MethodName } from '@webxai/core';
import type { CompareItem, XaiCompare } from '@webxai/ui';
import { AbortedError } from '@webxai/shaders';
import { GRID_METHODS, methodOptions, PREDICTION_GRID_METHODS } from './methods.js';
import { preprocessOf, type DemoModel } from './models.js';

/** One method's row, as the table shows it and the e2e test reads it (window.webxaiDemo.grid). */
export interface GridRow {
  readonly method: string;
  readonly label: string;
  state: 'waiting' | 'running' | 'done' | 'failed' | 'cancelled';
  progress?: string;
  path?: string;
  backend?: string;
  /** From the call until the attribution is on the CPU (GPU work included). */
  timeMs?: number;
  target?: number;
  /** The map as shown: one value per pixel, scaled so its largest |value| is 1. */
  map?: Float32Array;
  /** Method-specific detail: IG's completeness delta, the CAM layer. */
  note?: string;
  error?: string;
}

/** What a result says about itself beyond the attribution (`total`: the sum of the attribution). */
function noteOf(result: object, total: number): string | undefined {
  if ('delta' in result && Array.isArray(result.delta) && typeof result.delta[0] === 'number') {
    // IG completeness: sum = f(x) - f(baseline) + delta.
    const delta = result.delta[0];
    const gap = total - delta;
    return `completeness δ = ${delta.toPrecision(2)} (${Math.abs(gap) > 0 ? `${((100 * Math.abs(delta)) / Math.abs(gap)).toFixed(1)}% of |f(x) − f(0)|` : 'f(x) = f(0)'})`;
  }
  if ('layer' in result && typeof result.layer === 'string') return `layer ${result.layer}`;
  return undefined;
}

/** Scales a map so its largest |value| is 1 (methods differ in units; the grid compares shapes). */
function normalised(values: Float32Array): Float32Array {
  let max = 0;
  for (const v of values) max = Math.max(max, Math.abs(v));
  return max > 0 ? values.map((v) => v / max) : values;
}

export class MethodGrid {
  readonly rows: GridRow[];
  readonly #explainers = new Map<string, Explainer<MethodName>>();

  /** `model`'s preprocessing and input size are read once: a settings change makes a new grid. */
  constructor(
    private readonly model: DemoModel,
    private readonly compare: XaiCompare,
    private readonly table: HTMLTableSectionElement,
  ) {
    this.rows = (model.differentiable ? GRID_METHODS : PREDICTION_GRID_METHODS).map(({ method, label }) => ({
      method,
      label,
      state: 'waiting',
    }));
    this.#renderTable();
  }

  #explainer(method: string): Explainer<MethodName> {
    let explainer = this.#explainers.get(method);
    if (!explainer) {
      // Prepared once per method (e.g. the CAM split model) and reused for every image.
      const preprocess = preprocessOf(this.model);
      explainer = createExplainer(
        this.model.model,
        methodOptions(method, this.model, { target: 'predicted', ...(preprocess ? { preprocess } : {}) }),
      );
      this.#explainers.set(method, explainer);
    }
    return explainer;
  }

  /** Explains `input` ([1, h, w, c]) for `target` with every grid method in turn; stops early when `signal` aborts. */
  async run(input: tf.Tensor4D, image: ImageData, target: number | 'predicted', signal: AbortSignal): Promise<readonly GridRow[]> {
    const items: CompareItem[] = [];
    for (const row of this.rows) {
      for (const key of ['progress', 'path', 'backend', 'timeMs', 'target', 'map', 'note', 'error'] as const) delete row[key];
      row.state = 'waiting';
    }
    this.compare.image = image;
    this.compare.items = [];
    this.#renderTable();
    for (const row of this.rows) {
      if (signal.aborted) {
        row.state = 'cancelled';
        continue;
      }
      row.state = 'running';
      this.#renderTable();
      try {
        // Timed until the attribution is read back: core's timeMs stops when explain() resolves, which
        // can be before the GPU has finished the work tfjs queued (the readback waits for it).
        const started = performance.now();
        const result = await this.#explainer(row.method).explain(input, {
          target,
          signal,
          onProgress: ({ done, total }) => {
            row.progress = `${done}/${total}`;
            this.#renderTable();
          },
        });
        const data = (await result.attribution.data()) as Float32Array;
        const timeMs = performance.now() - started;
        const shape = result.attribution.shape;
        const map = normalised(data);
        Object.assign(row, { state: 'done', path: result.path, backend: result.backend, timeMs, target: result.target[0], map });
        const note = noteOf(
          result,
          data.reduce((sum, v) => sum + v, 0),
        );
        if (note) row.note = note;
        delete row.progress;
        disposeResult(result);
        items.push({ label: row.label, attribution: { data: map, shape } });
        this.compare.items = [...items];
      } catch (error) {
        if (error instanceof AbortedError || signal.aborted) row.state = 'cancelled';
        else {
          row.state = 'failed';
          row.error = (error as Error).message;
          console.warn(`${row.method} failed:`, error);
        }
      }
      this.#renderTable();
    }
    await this.compare.renderComplete;
    return this.rows;
  }

  #renderTable(): void {
    this.table.replaceChildren(
      ...this.rows.map((row) => {
        const tr = document.createElement('tr');
        tr.dataset.state = row.state;
        const status =
          row.state === 'running' && row.progress ? `running ${row.progress}` : row.state === 'failed' ? `failed: ${row.error}` : row.state;
        const cells = [
          row.label,
          row.target === undefined ? '' : String(row.target),
          row.timeMs === undefined ? '' : `${row.timeMs.toFixed(0)} ms`,
          row.path ?? '',
          row.backend ?? '',
          status,
          row.note ?? '',
        ];
        tr.append(
          ...cells.map((text, i) => {
            const td = document.createElement(i === 0 ? 'th' : 'td');
            td.textContent = text; // method labels and errors are text, never HTML
            return td;
          }),
        );
        return tr;
      }),
    );
  }

  /** Releases every prepared explainer. */
  dispose(): void {
    for (const explainer of this.#explainers.values()) explainer.dispose();
    this.#explainers.clear();
  }
}
