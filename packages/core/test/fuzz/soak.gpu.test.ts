// SPDX-License-Identifier: Apache-2.0
// Soak (issue 16): many mixed explanations on one explainer set, a third of them cancelled at a
// random point (before the call, at a random progress report, or by a short timer). Memory must
// stay flat: live tensors and tfjs GPU buffers equal the warmed-up baseline at every checkpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { AbortedError } from '@webxai/shaders';
import { createExplainer, disposeResult, type Explainer, type MethodName } from '../../src/index.js';
import { disposeWeights, tinyCnn, tinyCnnWeights, type TinyCnnWeights } from '@webxai/testing/models';
import { FUZZ_SEED, SOAK_RUNS, suiteTimeout } from './config.js';
import { memorySnapshot } from './harness.js';
import { CLASSES, SIZE } from './models.js';

/** Cheap methods from every family, with options that keep one explanation to tens of ms. */
const MIX: Record<string, Record<string, unknown>> = {
  saliency: {},
  'integrated-gradients': { steps: 8, batchSize: 4 },
  smoothgrad: { samples: 4, batchSize: 2 },
  'grad-cam': {},
  'score-cam': { batchSize: 4 },
  occlusion: { window: 7, stride: 7, batchSize: 4 },
  rise: { masks: 16, cellSize: 7, batchSize: 8 },
};

describe('soak', () => {
  let weights: TinyCnnWeights;
  let input: tf.Tensor;
  const explainers = new Map<string, Explainer<MethodName>>();

  beforeAll(async () => {
    await tf.setBackend('webgpu');
    weights = tinyCnnWeights({ height: SIZE, width: SIZE, channels: 1, classes: CLASSES, seed: 4 });
    const model = tinyCnn('sequential', weights);
    input = tf.randomUniform([2, SIZE, SIZE, 1], 0, 1, 'float32', 5);
    for (const [method, options] of Object.entries(MIX)) {
      const explainer = createExplainer<MethodName>(model, { method, ...options } as never);
      disposeResult(await explainer.explain(input)); // warm: pipelines and per-model caches
      explainers.set(method, explainer);
    }
  });
  afterAll(() => {
    for (const explainer of explainers.values()) explainer.dispose();
    input.dispose();
    disposeWeights(weights);
  });

  it(
    `${SOAK_RUNS} mixed explanations with random cancellation keep memory flat`,
    async () => {
      const plan = fc.sample(
        fc.record({
          method: fc.constantFrom(...Object.keys(MIX)),
          cancel: fc.oneof(
            { arbitrary: fc.constant({ kind: 'none' as const }), weight: 2 },
            fc.record({ kind: fc.constant('before' as const) }),
            fc.record({ kind: fc.constant('progress' as const), at: fc.integer({ min: 1, max: 4 }) }),
            fc.record({ kind: fc.constant('timer' as const), ms: fc.integer({ min: 0, max: 30 }) }),
          ),
        }),
        { seed: FUZZ_SEED + 2, numRuns: SOAK_RUNS },
      );
      const baseline = await memorySnapshot();
      const counts = { done: 0, aborted: 0 };
      for (const [i, { method, cancel }] of plan.entries()) {
        const controller = new AbortController();
        let reports = 0;
        const onProgress = () => {
          reports++;
          if (cancel.kind === 'progress' && reports === cancel.at) controller.abort();
        };
        if (cancel.kind === 'before') controller.abort();
        const timer = cancel.kind === 'timer' ? setTimeout(() => controller.abort(), cancel.ms) : undefined;
        try {
          disposeResult(await explainers.get(method)!.explain(input, { signal: controller.signal, onProgress }));
          counts.done++;
        } catch (error) {
          if (!(error instanceof AbortedError)) throw error;
          counts.aborted++;
        } finally {
          clearTimeout(timer);
        }
        if ((i + 1) % 100 === 0 || i === plan.length - 1) {
          const now = await memorySnapshot();
          expect({ run: i + 1, ...now }).toEqual({ run: i + 1, ...baseline });
        }
      }
      expect(counts.done + counts.aborted).toBe(SOAK_RUNS);
      // Both outcomes happened (the plan is seeded, so this is a fixed mix, not luck).
      if (SOAK_RUNS >= 50) expect(counts.aborted).toBeGreaterThan(0);
      console.log(
        `soak: ${counts.done} completed, ${counts.aborted} cancelled; tensors ${baseline.tensors}, GPU buffers ${baseline.buffers} throughout`,
      );
    },
    suiteTimeout(SOAK_RUNS, 2000),
  );
});
