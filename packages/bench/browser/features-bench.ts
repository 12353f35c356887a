// SPDX-License-Identifier: Apache-2.0
// Feature visualisation in the page: visualizeFeature on the tiny CNN (the Node features suite's
// model) against its bare forward + backward passes (feature-workload.ts), rounds interleaved on
// tfjs's webgpu backend (webxai's WGSL FFT, sampling and Adam kernels) and then on its cpu backend
// (webxai's CPU path: tfjs ops and the kernels' CPU references). Both sides end when the GPU is done.
import * as tf from '@tensorflow/tfjs';
import * as core from '@webxai/core';
import { disposeWeights, tinyCnn, tinyCnnWeights } from '@webxai/testing/models';
import type { FeatureBrowserCase } from '../src/browser-cases.js';
import { featureWorkload } from '../src/feature-workload.js';
import { timelineRows, type TimelineRow } from '../src/gpu-timeline.js';
import { alternatingTimelines } from './gpu-timeline.js';
import { FIRST_BLOCK_WARMUP_MS, measure, settleGpu, type Sides, type Times } from './measure.js';

/** The two sides, and the bare passes as tfjs runs them (feature-workload.ts's reference; timeline only). */
type FeatureSides = Sides & { readonly bareTfGrad: () => Promise<void> };

/** Runs `use` with the case's model and its sides (each ends when the GPU is done); disposes them after. */
async function withSides<T>(c: FeatureBrowserCase, use: (sides: FeatureSides) => Promise<T>): Promise<T> {
  const weights = tinyCnnWeights({ height: c.size, width: c.size, channels: 3, filters: 8, classes: 10, seed: 1 });
  const model = tinyCnn('sequential', weights);
  const workload = featureWorkload(tf, core, model, c.units);
  try {
    return await use({
      bare: async () => {
        workload.bare(c.steps);
        await settleGpu();
      },
      bareTfGrad: async () => {
        workload.bareTfGrad(c.steps);
        await settleGpu();
      },
      method: async () => {
        await workload.visualize(c.steps);
        await settleGpu();
      },
    });
  } finally {
    workload.dispose();
    model.dispose();
    disposeWeights(weights);
  }
}

/** The case's rounds on webgpu (after a row's first warm-up, FIRST_BLOCK_WARMUP_MS), then on cpu (tfjs is left on cpu). */
export async function featureTimes(c: FeatureBrowserCase, rounds: number): Promise<{ gpu: Times; cpu: Times }> {
  await tf.setBackend('webgpu');
  return withSides(c, async (sides) => {
    const gpu = await measure(sides, rounds, FIRST_BLOCK_WARMUP_MS);
    await tf.setBackend('cpu');
    return { gpu, cpu: await measure(sides, rounds) };
  });
}

/**
 * The case's GPU timeline on webgpu (`--filter timeline`): after a warm-up round, `rounds` runs of
 * the bare passes, of the tf.grad reference and of visualizeFeature, alternating, every dispatch
 * timed (browser/gpu-timeline.ts).
 */
export async function featureTimeline(c: FeatureBrowserCase, rounds: number): Promise<TimelineRow[]> {
  await tf.setBackend('webgpu');
  return withSides(c, async (sides) => {
    const runs = await alternatingTimelines(
      core.tfjsDevice(),
      { bare: sides.bare, bareTfGrad: sides.bareTfGrad, method: sides.method },
      rounds,
    );
    return [
      ...timelineRows('bare', runs.bare),
      ...timelineRows('bare tf.grad', runs.bareTfGrad),
      ...timelineRows('visualizeFeature', runs.method),
    ];
  });
}
