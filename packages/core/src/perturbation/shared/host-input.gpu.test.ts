// SPDX-License-Identifier: Apache-2.0
// Every perturbation method with a black box reads its input back once (hostInputValues): the
// clean scores, the segments, the fill and the batches all come from those values.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { segmentLinearModel, type SegmentLinearModel } from '@webxai/testing/models';
import { InvalidOptionError, liveBufferCount } from '@webxai/shaders';
import { createExplainerFor } from '../../api/explainer.js';
import type { MethodDefinition, MethodName } from '../../api/types.js';
import { flushTfjs, tfjsDevice, tfjsUsedBufferCount } from '../../interop/tfjs-webgpu.js';
import { kernelShap } from '../kernel-shap/kernel-shap.js';
import { lime } from '../lime/lime.js';
import { occlusion } from '../occlusion/occlusion.js';
import { partitionShap } from '../partition-shap/partition-shap.js';
import { rise } from '../rise/rise.js';

const [N, H, W, C, K] = [2, 12, 16, 3, 3];
/** 4x4 blocks: 3 x 4 = 12 segments. */
const blocks = Int32Array.from({ length: H * W }, (_, p) => Math.floor(Math.floor(p / W) / 4) * 4 + Math.floor((p % W) / 4));
let truth: SegmentLinearModel;

/**
 * The cases: each method with small budgets, SLIC for the built-in segmentation. `readbacks` (for
 * 2 images): the input's values (checked for NaN / Inf on the host: the input check's own readback
 * went in session 22), then per image LIME's normal equations (the maps are scattered straight
 * into the attribution tensor); SLIC's labels of these 12x16 images are computed on the host
 * ('auto' placement, session 32: 2 readbacks fewer). Before: 4 more for a
 * predicted class (the model adapter's image slice and scores, one readback per image), 2 more for a
 * given one (imageAt) and 2 for the GPU-made maps; partition SHAP's SLIC read its value range too.
 */
const slic = { method: 'slic', segments: 6, compactness: 10 } as const;
const cases = [
  { name: 'lime slic', readbacks: 3, method: lime, options: { samples: 40, seed: 2, segmentation: slic } },
  { name: 'lime user segments', readbacks: 3, method: lime, options: { samples: 40, seed: 2, segments: blocks, fill: 'zero' } },
  { name: 'kernel-shap slic', readbacks: 3, method: kernelShap, options: { samples: 30, seed: 2, segmentation: slic } },
  { name: 'partition-shap slic', readbacks: 1, method: partitionShap, options: { maxEvals: 40, segmentation: slic } },
  { name: 'partition-shap pixels', readbacks: 1, method: partitionShap, options: { maxEvals: 40 } },
  { name: 'rise', readbacks: 1, method: rise, options: { masks: 20, seed: 2 } },
  { name: 'occlusion', readbacks: 1, method: occlusion, options: { window: 4, stride: 4 } },
] as const;

type Run = { calls: number[]; readbacks: number; result: Record<string, unknown> };

/** The run's model calls (batch sizes), GPU readbacks and host results (typed arrays as lists). */
async function explainCounted(method: MethodDefinition<MethodName>, options: object, x: tf.Tensor): Promise<Run> {
  const calls: number[] = [];
  const box = { predict: (b: Float32Array, s: [number, number, number, number]) => (calls.push(s[0]), truth.box.predict(b, s)) };
  const reads = vi.spyOn(GPUBuffer.prototype, 'mapAsync');
  try {
    const r = (await createExplainerFor(method, box, { batchSize: 16, ...options } as never).explain(x)) as Record<string, unknown>;
    const readbacks = reads.mock.calls.length;
    const result: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(r)) {
      if (key === 'timeMs') continue;
      if (value instanceof tf.Tensor) {
        result[key] = Array.from(await value.data());
        value.dispose();
      } else
        result[key] =
          Array.isArray(value) && value.every((v) => ArrayBuffer.isView(v)) ? value.flatMap((v) => Array.from(v as Float32Array)) : value;
    }
    return { calls, readbacks, result };
  } finally {
    reads.mockRestore();
  }
}

/**
 * A fresh input per run (tfjs keeps the values of a tensor it has read back): blocks of different
 * brightness, so SLIC finds several segments, with a little noise.
 */
const image = () =>
  tf.tidy(() => {
    const shade = Float32Array.from(
      { length: N * H * W * C },
      (_, i) => 0.1 + (0.8 * ((blocks[Math.floor(i / C) % (H * W)]! * 5 + Math.floor(i / (H * W * C))) % 12)) / 11,
    );
    return tf.add<tf.Tensor4D>(tf.tensor4d(shade, [N, H, W, C]), tf.randomUniform([N, H, W, C], 0, 0.05, 'float32', 7));
  });

describe('black-box perturbation methods read their input once', () => {
  beforeAll(async () => {
    await tf.setBackend('webgpu');
    truth = segmentLinearModel({ height: H, width: W, channels: C, classes: K, labels: blocks, seed: 3 });
  });
  afterAll(() => truth.dispose());

  it.each(cases)('$name: one readback of the input; a given class equals the predicted one', async ({ method, options, readbacks }) => {
    const runs: Run[] = [];
    for (const given of [false, true]) {
      const x = image();
      const target = given ? (runs[0]!.result['target'] as number[]) : 'predicted';
      runs.push(await explainCounted(method, { method: method.name, target, ...options }, x));
      x.dispose();
    }
    const [predicted, given] = runs;
    expect([predicted!.readbacks, given!.readbacks]).toEqual([readbacks, readbacks]);
    expect(given!.result).toEqual(predicted!.result);
    // The clean images are scored in the host batches (one call of N); lime needs no clean scores for
    // a given class.
    expect(predicted!.calls[0]).toBe(N);
    expect(given!.calls).toEqual(method === lime ? predicted!.calls.slice(1) : predicted!.calls);
  });

  it('a class out of range is named before anything is left behind (lime, no clean forward)', async () => {
    const x = image();
    const memory = () => (flushTfjs(), [tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(tfjsDevice())]);
    const wrong = createExplainerFor(lime, truth.box, { method: 'lime', samples: 40, segmentation: slic, target: 3 });
    await expect(wrong.explain(x)).rejects.toThrow(InvalidOptionError); // also uploads x
    const before = memory();
    await expect(wrong.explain(x)).rejects.toThrow(/target class 3 is out of range: the model has 3 classes/);
    expect(memory()).toEqual(before);
    x.dispose();
  });
});
