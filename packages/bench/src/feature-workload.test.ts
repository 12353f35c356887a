// SPDX-License-Identifier: Apache-2.0
// The features bench's setup, cheaply: its two sides do the same model work per step (the ratio's
// fairness), free what they allocate, and the Node suite's cases load their models with the layer and
// channels they ask for. On tfjs's webgpu backend (Dawn), as the bench runs; never timings.
import type * as tfNamespace from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as testing from '@webxai/testing/models';
import { featureWorkload } from './feature-workload.js';
import { featureCaseSpecs } from './suites/features.js';
import { webgpuTfjs, type WebGpuTfjs } from './suites/shared.js';

let tfjs: WebGpuTfjs;
beforeAll(async () => {
  tfjs = await webgpuTfjs({});
});

/** Filter gradients core skipped while `work` ran. */
async function skippedDuring(work: () => Promise<void> | void): Promise<number> {
  const before = tfjs.core.skippedFilterGradients();
  await work();
  await tfjs.settle();
  return tfjs.core.skippedFilterGradients() - before;
}

describe('featureWorkload', () => {
  it('skips as many unused filter gradients per bare pass (both kinds) as visualizeFeature per step, and frees what it allocated', async () => {
    const { tf, core } = tfjs;
    // Seeded MobileNetV2 at 32x32: its convolutions are linear (batch norm and ReLU6 are layers), so
    // tfjs fuses them under the tape and both sides skip their filter gradients.
    const model = testing.mobileNetV2({ size: 32, classes: 10, seed: 2 });
    const tensors = tf.memory().numTensors;
    const workload = featureWorkload(tf, core, model, { layer: 'block_8_expand_relu', channels: 2 });
    const perBarePass = await skippedDuring(() => workload.bare(1));
    expect(perBarePass).toBeGreaterThan(0);
    expect(await skippedDuring(() => workload.bare(3))).toBe(3 * perBarePass);
    expect(await skippedDuring(() => workload.visualize(1))).toBe(perBarePass);
    expect(await skippedDuring(() => workload.bareTfGrad(2))).toBe(2 * perBarePass);
    workload.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    model.dispose();
  });

  it('names the layer and its channel count when the case asks for more', () => {
    const weights = testing.tinyCnnWeights({ height: 16, width: 16, filters: 8, seed: 1 });
    const model = testing.tinyCnn('sequential', weights);
    expect(() => featureWorkload(tfjs.tf, tfjs.core, model, { layer: 'conv2', channels: 9 })).toThrow(
      "feature bench: layer 'conv2' has 8 channels, the case asks for 9",
    );
    model.dispose();
    testing.disposeWeights(weights);
  });
});

describe('the features suite', () => {
  it.each([true, false])('quick=%s: each case loads a model of its size with the layer and channels it visualises', async (quick) => {
    const { tf, core } = tfjs;
    const tensors = tf.memory().numTensors;
    for (const spec of featureCaseSpecs(tf, quick)) {
      const loaded = await spec.load();
      const inputShape = (loaded.model.inputs[0] as tfNamespace.SymbolicTensor).shape;
      expect(inputShape.slice(1, 3)).toEqual([spec.size, spec.size]);
      featureWorkload(tf, core, loaded.model, spec.units).dispose(); // throws if the layer lacks the channels
      loaded.dispose();
    }
    expect(tf.memory().numTensors).toBe(tensors);
  });
});

describe('featureWorkload on the tiny CNN', () => {
  it("bare runs visualizeFeature's model pass: its relu convolutions fused, no Relu, Tile (the Mean gradient) or OneHot; the tf.grad reference runs tfjs's", async () => {
    const { tf, core } = tfjs;
    const weights = testing.tinyCnnWeights({ height: 16, width: 16, filters: 8, seed: 1 });
    const model = testing.tinyCnn('sequential', weights);
    const workload = featureWorkload(tf, core, model, { layer: 'conv2', channels: 2 });
    workload.bare(1); // makes the objective's gradient seed (tfjs's gradient of the channel means, once)
    const tensors = tf.memory().numTensors;
    const kernels = async (work: () => void) => (await tf.profile(work)).kernelNames;
    const bare = await kernels(() => workload.bare(1));
    const reference = await kernels(() => workload.bareTfGrad(1));
    expect(bare).toContain('FusedConv2D');
    for (const kernel of ['Relu', 'Tile', 'OneHot']) expect(bare).not.toContain(kernel);
    for (const kernel of ['Relu', 'Tile']) expect(reference).toContain(kernel);
    expect(tf.memory().numTensors).toBe(tensors);
    workload.dispose();
    model.dispose();
    testing.disposeWeights(weights);
  });
});
