// SPDX-License-Identifier: Apache-2.0
// A tfjs model on the GPU path: every model call of a perturbation method costs ONE readback, the
// scores checked for NaN/Inf on the host (predictValues). It cost two (predict's NaN/Inf flag, then
// the scores), and a predicted class a third (an argmax); on Chromium each is a GPU-process round trip.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { countReadbacks } from '@webxai/testing';
import { countedModel, disposeWeights, tinyCnn, tinyCnnWeights, type CountedModel, type TinyCnnWeights } from '@webxai/testing/models';
import { liveBufferCount, ModelError } from '@webxai/shaders';
import { createExplainerFor } from '../../api/explainer.js';
import type { MethodDefinition, MethodName } from '../../api/types.js';
import { flushTfjs, tfjsDevice, tfjsUsedBufferCount } from '../../interop/tfjs-webgpu.js';
import { anchors } from '../anchors/anchors.js';
import { kernelShap } from '../kernel-shap/kernel-shap.js';
import { lime } from '../lime/lime.js';
import { occlusion } from '../occlusion/occlusion.js';
import { partitionShap } from '../partition-shap/partition-shap.js';
import { rise } from '../rise/rise.js';

const [N, H, W, C] = [2, 12, 16, 3];
/** 4x4 blocks: 3 x 4 = 12 segments. */
const blocks = Int32Array.from({ length: H * W }, (_, p) => Math.floor(Math.floor(p / W) / 4) * 4 + Math.floor((p % W) / 4));
/**
 * `own`: each method's readbacks besides its model calls, for N = 2 images. Occlusion and RISE build
 * their batches from the image's tensor on the GPU path: no image is read back (they read each one,
 * 7 and 5, before session 39).
 */
const cases = [
  { method: occlusion, options: { window: 4, stride: 4 }, own: 5 },
  { method: rise, options: { masks: 40, seed: 2 }, own: 3 },
  { method: kernelShap, options: { samples: 40, seed: 2, segments: blocks }, own: 5 },
  { method: lime, options: { samples: 40, seed: 2, segments: blocks }, own: 5 },
  { method: partitionShap, options: { maxEvals: 40 }, own: 3 },
  { method: anchors, options: { segments: blocks, seed: 2 }, own: undefined },
] as const;

type Run = { calls: number; readbacks: number; target: number[] };

describe('perturbation methods with a tfjs model (webgpu): one readback per model call', () => {
  let weights: TinyCnnWeights;
  let counted: CountedModel;
  let x: tf.Tensor4D;
  beforeAll(async () => {
    await tf.setBackend('webgpu');
    weights = tinyCnnWeights({ height: H, width: W, channels: C, classes: 3, seed: 5 });
    counted = countedModel(tinyCnn('sequential', weights));
    x = tf.randomUniform<tf.Rank.R4>([N, H, W, C], 0, 1, 'float32', 3);
  });
  afterAll(() => {
    x.dispose();
    disposeWeights(weights);
  });

  /** One explanation's model calls and readbacks (after a warm-up run of the same explainer). */
  async function run(method: MethodDefinition<MethodName>, options: object): Promise<Run> {
    const explainer = createExplainerFor(method, counted.model, { method: method.name, ...options });
    ((await explainer.explain(x)) as { attribution: tf.Tensor }).attribution.dispose();
    counted.reset();
    const { result: r, readbacks } = await countReadbacks(
      async () => (await explainer.explain(x)) as { attribution: tf.Tensor; path: string; target: number[] },
    );
    r.attribution.dispose();
    expect(r.path).toBe('gpu');
    return { calls: counted.calls, readbacks, target: r.target };
  }

  // Anchors reads all batches of a draw back at once (ScoreReadback 'once'): anchors.gpu.test.ts.
  it.each(cases.filter((c) => c.method !== anchors))(
    '$method.name: more model calls cost as many more readbacks; a predicted class costs none',
    async ({ method, options, own: expected }) => {
      const predicted = await run(method, { ...options, batchSize: 16, target: 'predicted' });
      const given = await run(method, { ...options, batchSize: 16, target: predicted.target });
      const smaller = await run(method, { ...options, batchSize: 4, target: predicted.target });
      // The method's own readbacks (input check, per-image maps) do not depend on the batches.
      const own = (r: Run) => r.readbacks - r.calls;
      expect(smaller.calls).toBeGreaterThan(given.calls);
      expect([own(given), own(predicted), own(smaller)]).toEqual([expected, expected, expected]);
    },
  );

  it('NaN or Inf scores in the first or a later batch: ModelError naming them; nothing leaks', async () => {
    let calls = 0;
    let bad = 0; // the call from which the scores turn NaN
    const network = (input: tf.Tensor4D) => counted.model(input);
    const nanFrom = (input: tf.Tensor4D) => tf.mul<tf.Tensor2D>(network(input), calls++ >= bad ? Number.NaN : 1);
    const infFrom = (input: tf.Tensor4D) => tf.mul<tf.Tensor2D>(network(input), calls++ >= bad ? Number.POSITIVE_INFINITY : 1);
    for (const { method, options } of cases.slice(0, 3)) {
      const ok = createExplainerFor(method as MethodDefinition<MethodName>, counted.model, {
        method: method.name,
        batchSize: 8,
        ...options,
      } as never);
      ((await ok.explain(x)) as { attribution: tf.Tensor }).attribution.dispose(); // warm-up: pooled buffers
      const before = (flushTfjs(), [tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(tfjsDevice())]);
      for (const [model, from] of [
        [nanFrom, 0],
        [infFrom, 0],
        [nanFrom, 2],
      ] as const) {
        [calls, bad] = [0, from];
        const explainer = createExplainerFor(method as MethodDefinition<MethodName>, model, {
          method: method.name,
          batchSize: 8,
          ...options,
        } as never);
        const failure = explainer.explain(x);
        await expect(failure).rejects.toThrow(ModelError);
        await expect(failure).rejects.toThrow(/the function model returned NaN or Inf scores/);
        expect(calls).toBe(from + 1); // stopped at the bad call
      }
      flushTfjs();
      expect([tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(tfjsDevice())]).toEqual(before);
    }
  });
});
