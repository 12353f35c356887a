// SPDX-License-Identifier: Apache-2.0
// The metrics row: deletion + insertion (core's evaluate) of a seeded random map of the MNIST digit,
// rounds interleaved with their bare forward passes (the Node metrics suite's pairing) on tfjs's
// current backend.
import * as tf from '@tensorflow/tfjs';
import { evaluate } from '@webxai/core';
import type { MetricBrowserCase } from '../src/browser-cases.js';
import { barePasses } from './bare-passes.js';
import { measure, modelCalls, type MethodTimes } from './measure.js';

/** The model, the image it is evaluated on and its class. */
interface Evaluated {
  readonly model: tf.LayersModel;
  readonly image: tf.Tensor4D;
  readonly target: number;
}

/** Rounds of the bare forwards and of deletion then insertion, on the current backend. */
export async function measureMetrics({ model, image, target }: Evaluated, c: MetricBrowserCase, rounds: number): Promise<MethodTimes> {
  const [, height, width] = image.shape;
  // Seeded like the Node suite's map (its values only order the pixels).
  const attribution = tf.randomNormal<tf.Rank.R3>([1, height, width], 0, 1, 'float32', 8);
  let lastCalls: number[] = [];
  const bothCurves = async () => {
    lastCalls = await modelCalls(async () => {
      for (const metric of ['deletion', 'insertion'] as const)
        await evaluate(model, image, attribution, { metric, steps: c.steps, target, batchSize: c.batch });
    });
  };
  try {
    const times = await measure({ bare: () => barePasses(model, image, target, c.bare), method: bothCurves }, rounds);
    return { ...times, passes: c.bare, methodImages: lastCalls.reduce((sum, n) => sum + n, 0) };
  } finally {
    attribution.dispose();
  }
}
