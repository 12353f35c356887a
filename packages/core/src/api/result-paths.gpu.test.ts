// SPDX-License-Identifier: Apache-2.0
// Honest labels (issue 12): a result says where webxai's kernels ran (`path`) and where the model's
// inputs were built (`inputPath`); a black box's perturbed batches are built on the host.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { linearModel } from '@webxai/testing/models';
import type { BlackBoxModel } from '../model/types.js';
import { explain } from './explain.js';
import { disposeResult } from './dispose-result.js';

/** Two classes: the mean pixel and its negation, computed on the host. */
const box: BlackBoxModel = {
  numClasses: 2,
  predict(batch, [n, h, w, c]) {
    const out = new Float32Array(n * 2);
    const per = h * w * c;
    for (let b = 0; b < n; b++) {
      let s = 0;
      for (let i = 0; i < per; i++) s += batch[b * per + i]!;
      out[b * 2] = s / per;
      out[b * 2 + 1] = -s / per;
    }
    return Promise.resolve(out);
  },
};
const SEGMENTS = Int32Array.from({ length: 64 }, (_, i) => (Math.floor(i / 8) < 4 ? 0 : 1) * 2 + (i % 8 < 4 ? 0 : 1));

describe('result.path and result.inputPath', () => {
  beforeAll(async () => {
    await tf.setBackend('webgpu');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it("a black box: occlusion and rise run as CPU references ('cpu', 'cpu'); LIME's solver stays on the GPU ('gpu', inputs 'cpu')", async () => {
    const x = tf.randomUniform([1, 8, 8, 3], 0, 1, 'float32', 3);
    const occlusion = await explain(box, x, { method: 'occlusion', window: 4, stride: 4, target: 0 });
    const rise = await explain(box, x, { method: 'rise', masks: 8, seed: 1, target: 0 });
    const lime = await explain(box, x, { method: 'lime', samples: 16, seed: 2, segments: SEGMENTS, target: 0 });
    expect([occlusion.path, occlusion.inputPath]).toEqual(['cpu', 'cpu']);
    expect([rise.path, rise.inputPath]).toEqual(['cpu', 'cpu']);
    expect([lime.path, lime.inputPath]).toEqual(['gpu', 'cpu']);
    [occlusion, rise, lime].forEach(disposeResult);
    x.dispose();
  });

  it("a black box with preprocess goes through tfjs, so its batches are built on the GPU ('gpu', 'gpu')", async () => {
    const x = tf.randomUniform([1, 8, 8, 3], 0, 1, 'float32', 4);
    const r = await explain(box, x, { method: 'occlusion', window: 4, stride: 4, target: 0, preprocess: (v) => tf.mul(v, 2) });
    expect([r.path, r.inputPath]).toEqual(['gpu', 'gpu']);
    disposeResult(r);
    x.dispose();
  });

  it("a tfjs model on webgpu: inputs and kernels on the GPU ('gpu', 'gpu')", async () => {
    const { model } = linearModel({ height: 8, width: 8, channels: 3, classes: 2, seed: 1 });
    const x = tf.randomUniform([1, 8, 8, 3], 0, 1, 'float32', 5);
    const gpu = await explain(model, x, { method: 'occlusion', window: 4, stride: 4, target: 0 });
    expect([gpu.path, gpu.inputPath]).toEqual(['gpu', 'gpu']);
    disposeResult(gpu);
    x.dispose();
    model.dispose();
  });
});
