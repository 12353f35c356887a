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
import { measure, type Times } from './measure.js';

/** Waits for what tfjs and webxai have queued on webgpu; on cpu the ops have run already. */
async function settle(): Promise<void> {
  if (tf.getBackend() !== 'webgpu') return;
  core.flushTfjs();
  await core.tfjsDevice().queue.onSubmittedWorkDone();
}

/** The case's rounds on webgpu, then on cpu (tfjs is left on cpu). */
export async function featureTimes(c: FeatureBrowserCase, rounds: number): Promise<{ gpu: Times; cpu: Times }> {
  await tf.setBackend('webgpu');
  const weights = tinyCnnWeights({ height: c.size, width: c.size, channels: 3, filters: 8, classes: 10, seed: 1 });
  const model = tinyCnn('sequential', weights);
  const workload = featureWorkload(tf, core, model, c.units);
  const sides = {
    bare: async () => {
      workload.bare(c.steps);
      await settle();
    },
    method: async () => {
      await workload.visualize(c.steps);
      await settle();
    },
  };
  try {
    const gpu = await measure(sides, rounds);
    await tf.setBackend('cpu');
    return { gpu, cpu: await measure(sides, rounds) };
  } finally {
    workload.dispose();
    model.dispose();
    disposeWeights(weights);
  }
}
