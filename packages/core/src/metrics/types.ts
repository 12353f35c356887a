// SPDX-License-Identifier: Apache-2.0
import type * as tf from '@tensorflow/tfjs';
import type { Target } from '../api/targets.js';
import type { ExecutionPath } from '../api/types.js';
import type { OptionNames } from '../api/option-names.js';
import type { ModelAdapter } from '../model/types.js';
import type { AttributionRead } from './shared/attribution.js';

/** What `evaluate` returns. */
export interface MetricResult {
  readonly metric: string;
  /** One score per image. */
  readonly scores: number[];
  /** One curve per image, for the metrics that have one (deletion, insertion, ROAD). */
  readonly curves?: Float32Array[];
  /** The class scored per image (metrics that use the model), else empty. */
  readonly target: number[];
  /** Which implementation of webxai's kernels ran. */
  readonly path: ExecutionPath;
  /** Wall-clock time of the evaluation, in milliseconds. */
  readonly timeMs: number;
}

/** Options every metric takes. */
export interface MetricCommonOptions {
  /**
   * Class to score per image: an index, one per image, or 'predicted'. Default: the explain result's
   * `target` when `attribution` is a result, else 'predicted'.
   */
  readonly target?: Target;
  /** Cancels within one batch; the promise rejects with AbortedError and nothing leaks. */
  readonly signal?: AbortSignal;
  /** Perturbed images per model call. Default: about 64 MB of input, at most 64. */
  readonly batchSize?: number;
  /** Applied to every (perturbed) input before the model. */
  readonly preprocess?: (x: tf.Tensor4D) => tf.Tensor4D;
}

/**
 * Metrics register here by declaration merging from their own folder:
 * `declare module '../types.js' { interface MetricRegistry { deletion: DeletionOptions } }`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface MetricRegistry {}

export type MetricName = Extract<keyof MetricRegistry, string>;

/** The options of metric `M`, with the common ones and the `metric` discriminant. */
export type MetricOptionsFor<M extends MetricName> = MetricRegistry[M] & MetricCommonOptions & { readonly metric: M };

/** Options of any metric: a union discriminated by `metric`. */
export type EvaluateOptions = { [M in MetricName]: MetricOptionsFor<M> }[MetricName];

/** What every metric's run gets, for a checked input [n, h, w, c], besides the attribution's host values. */
export interface MetricInputsBase {
  readonly model: ModelAdapter;
  /** The checked input batch [n, h, w, c] (owned by evaluate). */
  readonly input: tf.Tensor4D;
  /**
   * The input's NHWC values (checked finite) when the perturbed batches are written on the host (a
   * black box, see hostBatches): the metrics take images (imageAt) and original scores
   * (metricOriginalScores) from them with no readback. Read only.
   */
  readonly hostValues?: Float32Array;
  /**
   * The attribution as [n, h, w, c'] (c' = c, or 1 for a per-pixel map broadcast over channels),
   * resized to the input when it was smaller (owned by evaluate).
   */
  readonly attribution: tf.Tensor4D;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** The target to resolve against the model's scores (already defaulted from an explain result). */
  readonly target: Target | undefined;
  readonly path: ExecutionPath;
  readonly signal: AbortSignal | undefined;
  readonly batchSize: number;
  readonly preprocess: boolean;
  /**
   * Call right after a readback that waited for all the GPU work the metric recorded, when it
   * records no more (its result is host arithmetic on values read back): evaluate then skips its
   * own wait for the GPU queue (a round trip, 0.3-0.5 ms on Chromium) if tfjs has submitted nothing
   * since, as the explainer does for methods (CallContext.markDrained). Undefined off the GPU path.
   */
  readonly markDrained?: () => void;
}

/** The attribution as the metrics see it: the base inputs and its values, read back before `run`. */
export interface MetricInputs extends MetricInputsBase {
  /** Pixel scores per image: the attribution summed over channels, h * w values row-major. */
  readonly maps: readonly Float32Array[];
  /** The attribution's values, as `attribution` (read once by evaluate). Read only. */
  readonly attributionValues: Float32Array;
  /**
   * The input's NHWC values for a metric that declares `hostInput`: a black box's `hostValues`, else
   * read back with the attribution (one readback). Read only.
   */
  readonly inputValues?: Float32Array;
}

/** The inputs of a metric's `runWhileReading`: the attribution's values still on their way. */
export interface ReadingMetricInputs extends MetricInputsBase {
  /**
   * The attribution's values and pixel maps, and with `hostInput` the input's values (a black box's
   * are `hostValues` already): one readback, started before the call. Rejects with
   * InvalidInputError when the input or the attribution has a NaN or Inf value.
   */
  readonly reading: Promise<AttributionRead>;
}

/** What a metric computes; evaluate adds metric, path and timeMs. */
export interface MetricOutput {
  readonly scores: number[];
  readonly curves?: Float32Array[];
  readonly target?: number[];
}

/** One metric: its name, the option names it accepts (beyond the common ones), and how to run it. */
export type MetricDefinition<M extends MetricName> = MetricBase<M> & (RunsAfterReading<M> | RunsWhileReading<M>);

/** What every metric declares. */
interface MetricBase<M extends MetricName> {
  readonly name: M;
  /** Its own option names (the compiler checks them against the metric's options type). */
  readonly optionNames: OptionNames<MetricRegistry[M]>;
  /**
   * It needs the input's values on the host (ROAD's and infidelity's images are written there; the
   * fill of faithfulness correlation, deletion and insertion comes from them): evaluate hands it
   * `inputValues` (`runWhileReading`: `reading`'s `input`, or `hostValues` for a black box). A
   * function says for which calls: where it returns false the readback leaves the input out (GPU
   * paths that build their batches from the input tensor).
   */
  readonly hostInput?: true | ((options: MetricOptionsFor<M>, path: ExecutionPath) => boolean);
  /** Checks options (InvalidOptionError naming the option) before anything runs. */
  check(options: MetricOptionsFor<M>, inputs: { readonly height: number; readonly width: number; readonly n: number }): void;
}

/** Most metrics: evaluate reads the attribution back, then runs the metric with its values. */
interface RunsAfterReading<M extends MetricName> {
  run(inputs: MetricInputs, options: MetricOptionsFor<M>): Promise<MetricOutput>;
}

/**
 * A metric whose model calls do not depend on the attribution (faithfulness correlation's random
 * subsets): evaluate starts the readback and calls this at once, so its first batches go out while
 * the values travel. In a browser each readback is a round trip to the GPU process that would
 * otherwise leave the GPU idle. evaluate awaits `reading` (the NaN / Inf checks) before returning.
 */
interface RunsWhileReading<M extends MetricName> {
  runWhileReading(inputs: ReadingMetricInputs, options: MetricOptionsFor<M>): Promise<MetricOutput>;
}
