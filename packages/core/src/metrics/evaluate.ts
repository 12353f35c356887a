// SPDX-License-Identifier: Apache-2.0
import type * as tf from '@tensorflow/tfjs';
import { InvalidOptionError, throwIfAborted } from '@webxai/shaders';
import { currentPath } from '../api/explainer.js';
import { toHostInputBatch, toUncheckedBatch } from '../api/input.js';
import { InputCheck } from '../api/input-check.js';
import { checkTargetOption } from '../api/targets.js';
import { GpuDrain } from '../interop/tfjs-webgpu.js';
import { adaptModel } from '../model/adapt.js';
import type { ModelInput } from '../model/types.js';
import type { ExecutionPath } from '../api/types.js';
import { integerOption } from '../api/options.js';
import { fitBatchToModel } from '../api/batch-limit.js';
import { hostBatches } from '../perturbation/shared/evaluate.js';
import { listMetrics, METRICS } from './registry.js';
import {
  normaliseAttribution,
  readAttribution,
  readInputs,
  unpackAttribution,
  type AttributionInput,
  type AttributionRead,
} from './shared/attribution.js';
import { checkOptionNames, type OptionNames } from '../api/option-names.js';
import type {
  EvaluateOptions,
  MetricCommonOptions,
  MetricDefinition,
  MetricInputsBase,
  MetricName,
  MetricOptionsFor,
  MetricOutput,
  MetricResult,
} from './types.js';

/** Option names every metric accepts (besides its own). */
export const COMMON_METRIC_OPTION_NAMES: OptionNames<MetricCommonOptions & { readonly metric: MetricName }> = {
  metric: true,
  target: true,
  signal: true,
  batchSize: true,
  preprocess: true,
};

function definitionOf(metric: unknown): MetricDefinition<MetricName> {
  const definition = (METRICS as Record<string, MetricDefinition<MetricName> | undefined>)[metric as string];
  if (typeof metric !== 'string' || !definition || !Object.hasOwn(METRICS, metric)) {
    throw new InvalidOptionError(`evaluate: unknown metric '${String(metric)}'; available: ${listMetrics().join(', ')}`);
  }
  return definition;
}

/**
 * Scores an attribution of `model` on `input` with a faithfulness, localisation or complexity
 * metric. Metrics that perturb the input build every perturbed batch on the GPU straight into the
 * model's input buffer (tfjs models on the webgpu backend) or on the host for black boxes / ONNX.
 *
 * Memory: a black box's host batch (at most 64 MiB; 38 MB at 224x224x3 with the default batch) is
 * kept after the call for the next one, and freed 10 s after the last call (one buffer at most, for
 * every black-box method and metric together; see perturbation/shared/host-batch-pool.ts).
 *
 * @param model a tf.LayersModel, tf.GraphModel, a function, or a black box (as `explain`).
 * @param input float32 [h, w, c] or [n, h, w, c], as given to `explain`.
 * @param attribution a tensor ([n, h, w, c], [n, h, w, 1], a map [n, h', w'] resized when smaller)
 *   or an explain result (its attribution, and its target unless `options.target` is given).
 *
 * @example
 * const r = await explain(model, image, { method: 'grad-cam' });
 * const d = await evaluate(model, image, r, { metric: 'deletion', steps: 100 });
 * d.scores;    // [0.08] — area under the deletion curve (lower is better)
 * d.curves[0]; // Float32Array(101): the target's probability as pixels are deleted
 */
export async function evaluate<M extends MetricName>(
  model: ModelInput,
  input: tf.Tensor,
  attribution: AttributionInput,
  options: MetricOptionsFor<M>,
): Promise<MetricResult> {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError('evaluate: options must be an object with a metric');
  const definition = definitionOf(options.metric) as unknown as MetricDefinition<M>;
  const name = definition.name;
  // A misspelt `step` would otherwise be ignored silently.
  checkOptionNames(name, options, COMMON_METRIC_OPTION_NAMES, definition.optionNames);
  throwIfAborted(options.signal, name);
  const start = performance.now();
  const adapter = adaptModel(model, options.preprocess ? { preprocess: options.preprocess } : {});
  const unpacked = unpackAttribution(name, attribution);
  const preprocess = !!options.preprocess;
  // A black box's perturbed batches are written on the host: its input is read back once, checked
  // there, and every image, original score and batch comes from those values (no further readback).
  // Otherwise the input's NaN / Inf check rides in the attribution's readback.
  const blackBoxBatches = hostBatches({ model: adapter, preprocess });
  const { batch, values: hostValues } = blackBoxBatches
    ? await toHostInputBatch(input, adapter)
    : { batch: toUncheckedBatch(input, adapter), values: undefined };
  const check = blackBoxBatches ? undefined : new InputCheck(batch);
  let normalised: tf.Tensor4D | undefined;
  let reading: Promise<AttributionRead> | undefined;
  try {
    const [n, height, width, channels] = batch.shape;
    const target = options.target ?? unpacked.target;
    checkTargetOption(target, n);
    definition.check(options, { n, height, width });
    const asked = options.batchSize === undefined ? undefined : integerOption(name, 'batchSize', options.batchSize, 1);
    const batchSize = await fitBatchToModel(name, adapter, { height, width, channels }, asked);
    normalised = normaliseAttribution(name, unpacked.tensor, input.shape);
    const path = currentPath();
    const hostInput = needsHostInput(definition, options, path);
    reading = readAttribution(normalised, hostInput && !hostValues ? batch : undefined, check);
    const drain = new GpuDrain();
    // Marked handled now: a metric that fails before awaiting it must not leave an unhandled rejection.
    void reading.catch(() => undefined);
    const output = await runMetric(
      definition,
      {
        model: adapter,
        input: batch,
        ...(hostValues && { hostValues }),
        attribution: normalised,
        height,
        width,
        channels,
        target,
        path,
        signal: options.signal,
        batchSize,
        preprocess,
        ...(path === 'gpu' && { markDrained: drain.markDrained }),
      },
      reading,
      options,
      hostInput,
    );
    // tfjs and our kernels run asynchronously: timeMs measures the metric once the GPU has finished.
    if (path === 'gpu') await drain.settle();
    return {
      metric: name,
      scores: output.scores,
      ...(output.curves ? { curves: output.curves } : {}),
      target: output.target ?? [],
      path,
      timeMs: performance.now() - start,
    };
  } finally {
    // The readback reads the batch and the attribution: they are disposed once it has landed.
    await reading?.catch(() => undefined);
    check?.dispose();
    batch.dispose();
    normalised?.dispose();
  }
}

/**
 * Runs the metric with the attribution's values: after the readback for most, while it travels for
 * the metrics that run while reading (and their result waits for it: the NaN / Inf checks ride in it).
 */
async function runMetric<M extends MetricName>(
  definition: MetricDefinition<M>,
  inputs: MetricInputsBase,
  reading: Promise<AttributionRead>,
  options: MetricOptionsFor<M>,
  hostInput: boolean,
): Promise<MetricOutput> {
  if ('runWhileReading' in definition) {
    const [read, output] = await Promise.allSettled([reading, definition.runWhileReading({ ...inputs, reading }, options)]);
    // The readback's error first: a NaN input's model scores are NaN too, but the input is the cause.
    if (read.status === 'rejected') throw read.reason;
    if (output.status === 'rejected') throw output.reason;
    return output.value;
  }
  return definition.run(readInputs({ ...inputs, reading }, await reading, hostInput), options);
}

/** Whether this call of the metric needs the input's values on the host (its `hostInput`). */
function needsHostInput<M extends MetricName>(definition: MetricDefinition<M>, options: MetricOptionsFor<M>, path: ExecutionPath): boolean {
  const { hostInput } = definition;
  return typeof hostInput === 'function' ? hostInput(options, path) : hostInput === true;
}

export type { EvaluateOptions };
