// SPDX-License-Identifier: Apache-2.0
import type * as tf from '@tensorflow/tfjs';
import { InvalidOptionError, throwIfAborted } from '@webxai/shaders';
import { explain } from '../../api/explain.js';
import type { Target } from '../../api/targets.js';
import type { ExplainOptions, MethodName } from '../../api/types.js';
import type { ModelInput } from '../../model/types.js';
import { evaluate } from '../evaluate.js';
import { checkOptionNames, type OptionNames } from '../../api/option-names.js';
import { mean } from '../shared/stats.js';
import type { EvaluateOptions, MetricName } from '../types.js';

/** Options of {@link trustReport}. */
export interface TrustReportOptions {
  /** Methods to run: names (default options) or explain options. */
  readonly methods: readonly (MethodName | ExplainOptions)[];
  /**
   * Metrics to score every method with: names (default options) or evaluate options. A
   * 'max-sensitivity' without `explain` re-runs each row's own method.
   */
  readonly metrics: readonly (MetricName | EvaluateOptions)[];
  /** Class per image for every method (default: each method's 'predicted'). */
  readonly target?: Target;
  readonly signal?: AbortSignal;
}

/** One cell of the report: a method scored by a metric. */
export interface TrustReportRow {
  readonly method: string;
  readonly metric: string;
  /** One score per image. */
  readonly scores: number[];
  readonly mean: number;
  /** Time of the metric's evaluation, in milliseconds. */
  readonly timeMs: number;
}

/** One method's explanation in the report. The caller disposes `attribution` (or calls disposeTrustReport). */
export interface TrustReportMap {
  readonly method: string;
  readonly attribution: tf.Tensor;
  readonly target: number[];
  /** Time of the explanation, in milliseconds. */
  readonly timeMs: number;
}

/** Result of {@link trustReport}. */
export interface TrustReport {
  readonly rows: TrustReportRow[];
  readonly maps: TrustReportMap[];
}

const NAME = 'trustReport';

const OPTION_NAMES: OptionNames<TrustReportOptions> = { methods: true, metrics: true, target: true, signal: true };

const asExplain = (m: MethodName | ExplainOptions): ExplainOptions => (typeof m === 'string' ? ({ method: m } as ExplainOptions) : m);
const asMetric = (m: MetricName | EvaluateOptions): EvaluateOptions => (typeof m === 'string' ? ({ metric: m } as EvaluateOptions) : m);

/**
 * Runs every chosen method on `input` and scores each explanation with every chosen metric, in one
 * call: a table for the CLI, the demo and users, plus the maps.
 *
 * @example
 * const report = await trustReport(model, image, { methods: ['saliency', 'grad-cam'], metrics: ['deletion', 'insertion'] });
 * report.rows; // [{ method: 'saliency', metric: 'deletion', scores: [0.21], mean: 0.21, timeMs: 840 }, ...]
 * disposeTrustReport(report);
 */
export async function trustReport(model: ModelInput, input: tf.Tensor, options: TrustReportOptions): Promise<TrustReport> {
  if (typeof options !== 'object' || options === null)
    throw new InvalidOptionError(`${NAME}: options must be an object with methods and metrics`);
  checkOptionNames(NAME, options, OPTION_NAMES);
  if (!Array.isArray(options.methods) || options.methods.length === 0)
    throw new InvalidOptionError(`${NAME}: methods must be a non-empty array of method names or explain options`);
  if (!Array.isArray(options.metrics) || options.metrics.length === 0)
    throw new InvalidOptionError(`${NAME}: metrics must be a non-empty array of metric names or evaluate options`);
  const rows: TrustReportRow[] = [];
  const maps: TrustReportMap[] = [];
  try {
    for (const method of options.methods.map(asExplain)) {
      throwIfAborted(options.signal, NAME);
      const explainOptions = { ...method, ...(options.target !== undefined ? { target: options.target } : {}) };
      const result = (await explain(model, input, explainOptions)) as unknown as {
        attribution: tf.Tensor;
        target: number[];
        timeMs: number;
      } & Record<string, unknown>;
      // Keep the attribution; free the rest of the result (CAM's map, LIME's segments...).
      for (const [key, value] of Object.entries(result))
        if (key !== 'attribution' && value && typeof (value as tf.Tensor).dispose === 'function') (value as tf.Tensor).dispose();
      maps.push({ method: method.method, attribution: result.attribution, target: result.target, timeMs: result.timeMs });
      for (const metric of options.metrics.map(asMetric)) {
        const metricOptions: object =
          metric.metric === 'max-sensitivity' && !('explain' in metric) ? { ...(metric as object), explain: method } : metric;
        const r = await evaluate(model, input, result, {
          ...metricOptions,
          ...(options.signal ? { signal: options.signal } : {}),
        } as EvaluateOptions);
        rows.push({ method: method.method, metric: r.metric, scores: r.scores, mean: mean(r.scores), timeMs: r.timeMs });
      }
    }
    return { rows, maps };
  } catch (error) {
    disposeTrustReport({ rows, maps });
    throw error;
  }
}

/** Disposes every map of a report. */
export function disposeTrustReport(report: TrustReport): void {
  for (const m of report.maps) m.attribution.dispose();
}
