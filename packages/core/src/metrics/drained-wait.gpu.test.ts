// SPDX-License-Identifier: Apache-2.0
// evaluate() waits for the GPU queue before it returns (timeMs covers the GPU work), except after a
// metric whose last readback already waited for all its work (MetricInputsBase.markDrained) and when
// tfjs has submitted nothing since: that wait is a round trip of its own on Chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { disposeWeights, tinyCnn, tinyCnnWeights, type TinyCnnWeights } from '@webxai/testing/models';
import { evaluate } from './evaluate.js';
import type { EvaluateOptions } from './types.js';
import { countQueueWaits } from '@webxai/testing';

let weights: TinyCnnWeights;
let model: tf.LayersModel;
let x: tf.Tensor4D;
let attribution: tf.Tensor4D;
beforeAll(async () => {
  await tf.setBackend('webgpu');
  weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, classes: 5, seed: 43 });
  model = tinyCnn('sequential', weights);
  x = tf.randomUniform<tf.Rank.R4>([2, 8, 8, 3], 0, 1, 'float32', 44);
  attribution = tf.randomUniform<tf.Rank.R4>([2, 8, 8, 3], -1, 1, 'float32', 45);
});
afterAll(() => {
  tf.dispose([x, attribution]);
  model.dispose();
  disposeWeights(weights);
});

/** onSubmittedWorkDone calls during one evaluation (after a warm-up), its result and its leaks. */
async function waits(options: EvaluateOptions): Promise<{ waits: number; timeMs: number; scores: number[]; leaked: number }> {
  const warm = await evaluate(model, x, attribution, options);
  const tensors = tf.memory().numTensors;
  const { result: r, waits } = await countQueueWaits(() => evaluate(model, x, attribution, options));
  expect(r.scores).toEqual(warm.scores); // the same metric either way
  return { waits, timeMs: r.timeMs, scores: r.scores, leaked: tf.memory().numTensors - tensors };
}

describe('evaluate skips its queue wait after a drained metric (webgpu)', () => {
  it.each<EvaluateOptions>([
    { metric: 'deletion', steps: 8, target: 1 },
    { metric: 'insertion', steps: 8 },
    { metric: 'road', fractions: [0.25, 0.5] },
    { metric: 'infidelity', samples: 4 },
    { metric: 'faithfulness-correlation', runs: 6, subsetSize: 8 },
    { metric: 'max-sensitivity', samples: 2, explain: { method: 'integrated-gradients', steps: 4 } },
  ])('$metric reads its scores last: no wait; timeMs still counts', async (options) => {
    const r = await waits(options);
    expect(r).toMatchObject({ waits: 0, leaked: 0 });
    expect(r.timeMs).toBeGreaterThan(0);
    for (const s of r.scores) expect(Number.isFinite(s)).toBe(true);
  });

  it('a metric that marks nothing still waits (sparseness: no GPU work of its own)', async () => {
    expect(await waits({ metric: 'sparseness' })).toMatchObject({ waits: 1, leaked: 0 });
  });
});
