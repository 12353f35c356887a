// SPDX-License-Identifier: Apache-2.0
// The metrics rows: core's evaluate (deletion + insertion, ROAD, infidelity, faithfulness
// correlation, max-sensitivity) of a seeded random map of the MNIST digit and the cascading
// randomisation sanity check, rounds interleaved with their bare passes (the Node metrics suites'
// pairing) on tfjs's current backend.
import * as tf from '@tensorflow/tfjs';
import { cascadingRandomisation, evaluate } from '@webxai/core';
import { countedBare, type BarePasses, type MetricBrowserCase } from '../src/browser-cases.js';
import { barePasses } from './bare-passes.js';
import { measure, modelCalls, type MethodTimes, type Sides } from './measure.js';
import { sidesTimeline } from './method-bench.js';
import type { TimelineRow } from '../src/gpu-timeline.js';

/** The model, the image it is evaluated on and its class. */
interface Evaluated {
  readonly model: tf.LayersModel;
  readonly image: tf.Tensor4D;
  readonly target: number;
}

/**
 * Runs `use` with the case's two sides: the bare forwards and the case's metrics of a seeded random
 * map; `calls` gives the model calls of the last method run. A counted case's bare side replays the
 * calls of one run on this backend (also a warm-up run).
 */
async function withMetricSides<T>(
  { model, image, target }: Evaluated,
  c: MetricBrowserCase,
  use: (sides: Sides, calls: () => readonly number[], passes: BarePasses) => Promise<T>,
): Promise<T> {
  const [, height, width] = image.shape;
  // Seeded like the Node suite's map (its values only order the pixels).
  const attribution = tf.randomNormal<tf.Rank.R3>([1, height, width], 0, 1, 'float32', 8);
  let lastCalls: number[] = [];
  const metrics = async () => {
    lastCalls = await modelCalls(async () => {
      for (const { metric, options } of c.calls) {
        if (metric === 'cascading-randomisation') await cascadingRandomisation(model, image, { ...options, target: [target] } as never);
        else await evaluate(model, image, attribution, { metric, ...options, target, batchSize: c.batch } as never);
      }
    });
  };
  try {
    if (c.bare.kind === 'counted-forward') await metrics();
    const passes = c.bare.kind === 'counted-forward' ? countedBare(lastCalls) : c.bare;
    return await use({ bare: () => barePasses(model, image, target, passes), method: metrics }, () => lastCalls, passes);
  } finally {
    attribution.dispose();
  }
}

/** Rounds of the bare forwards and of the case's metrics, on the current backend (after `warmupMs` of warm-up: measure.ts). */
export function measureMetrics(evaluated: Evaluated, c: MetricBrowserCase, rounds: number, warmupMs?: number): Promise<MethodTimes> {
  return withMetricSides(evaluated, c, async (sides, calls, passes) => {
    const times = await measure(sides, rounds, warmupMs);
    return { ...times, passes, methodImages: calls().reduce((sum, n) => sum + n, 0) };
  });
}

/** The metrics case's GPU timeline (`--filter "timeline deletion"`): {@link sidesTimeline}. */
export async function metricsTimeline(evaluated: Evaluated, c: MetricBrowserCase, rounds: number): Promise<TimelineRow[]> {
  await tf.setBackend('webgpu');
  return withMetricSides(evaluated, c, (sides) => sidesTimeline(c.name, sides, rounds));
}
