// SPDX-License-Identifier: Apache-2.0
// explain() waits for the GPU queue before it returns (timeMs covers the GPU work), except after a
// method whose last readback already waited for all its work (CallContext.markDrained) and when
// tfjs has submitted nothing since: that wait is a round trip of its own on Chromium.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { disposeWeights, tinyCnn, tinyCnnWeights, type TinyCnnWeights } from '@webxai/testing/models';
import { createExplainer } from './explain.js';
import { disposeResult } from './dispose-result.js';
import { tfjsDevice, tfjsSubmitMark, tfjsSubmittedNothingSince } from '../interop/tfjs-webgpu.js';

describe('the explainer skips its queue wait after a drained method (webgpu)', () => {
  let weights: TinyCnnWeights;
  let model: tf.LayersModel;
  let x: tf.Tensor4D;
  beforeAll(async () => {
    await tf.setBackend('webgpu');
    weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, classes: 5, seed: 41 });
    model = tinyCnn('sequential', weights);
    x = tf.randomUniform<tf.Rank.R4>([1, 8, 8, 3], 0, 1, 'float32', 42);
  });
  afterAll(async () => {
    x.dispose();
    disposeWeights(weights);
    await tf.setBackend('cpu');
  });

  /** onSubmittedWorkDone calls during one explanation, and its time. */
  async function waits(options: Record<string, unknown>): Promise<{ waits: number; timeMs: number }> {
    const explainer = createExplainer(model, options as never);
    disposeResult(await explainer.explain(x)); // compile and warm
    const spy = vi.spyOn(tfjsDevice().queue, 'onSubmittedWorkDone');
    try {
      const r = await explainer.explain(x);
      const timeMs = (r as { timeMs: number }).timeMs;
      disposeResult(r);
      return { waits: spy.mock.calls.length, timeMs };
    } finally {
      spy.mockRestore();
      explainer.dispose();
    }
  }

  it('saliency, gradient x input and a one-layer Grad-CAM read last: no wait; timeMs still counts', async () => {
    for (const method of ['saliency', 'gradient-x-input', 'grad-cam']) {
      for (const target of [undefined, 2]) {
        const { waits: n, timeMs } = await waits({ method, target });
        expect(n, `${method} target ${target}`).toBe(0);
        expect(timeMs).toBeGreaterThan(0);
      }
    }
  });

  it('waits when the method records work after its last readback (relu: false, augSmooth) or marks nothing', async () => {
    expect((await waits({ method: 'grad-cam', relu: false })).waits).toBe(1);
    expect((await waits({ method: 'grad-cam', augSmooth: true })).waits).toBe(1);
    expect((await waits({ method: 'integrated-gradients', steps: 4 })).waits).toBe(1);
  });

  it('a mark stops counting once tfjs records or submits anything', async () => {
    const a = tf.scalar(2);
    await a.data();
    const mark = tfjsSubmitMark();
    expect(tfjsSubmittedNothingSince(mark)).toBe(true);
    const b = tf.mul(a, 3); // recorded
    expect(tfjsSubmittedNothingSince(mark)).toBe(false);
    await b.data(); // submitted
    expect(tfjsSubmittedNothingSince(mark)).toBe(false);
    expect(tfjsSubmittedNothingSince(undefined)).toBe(false);
    tf.dispose([a, b]);
  });
});
