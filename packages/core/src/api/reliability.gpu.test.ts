// SPDX-License-Identifier: Apache-2.0
// Cancellation that always works and typed errors for a hostile but realistic caller (issue 16,
// items 1, 2 and 6): each case here failed before the fix (hung, resolved, or threw a TypeError).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { AbortedError, InvalidOptionError, ModelError, UnsupportedModelError, XaiError } from '@webxai/shaders';
import { disposeWeights, tinyCnn, tinyCnnWeights, type TinyCnnWeights } from '@webxai/testing/models';
import { createExplainer, explain } from './explain.js';
import { checkpoint, raceAbort } from './abort.js';
import { adaptModel } from '../model/adapt.js';
import { listLayers } from '../model/split/list-layers.js';
import { chooseBatchSize } from '../gradient/shared/batching.js';
import { perturbationEnv } from '../perturbation/shared/env.js';
import { tfjsDevice } from '../interop/tfjs-webgpu.js';

const never = () => new Promise<Float32Array>(() => {});

/** The rejection of `promise`, or a failure if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('resolved, but a rejection was expected');
    },
    (error: unknown) => error,
  );
}

describe('cancellation', () => {
  let weights: TinyCnnWeights;
  beforeAll(async () => {
    await tf.setBackend('webgpu');
    weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, classes: 3, seed: 7 });
  });
  afterAll(async () => {
    await tf.setBackend('webgpu');
    disposeWeights(weights);
  });

  it('raceAbort rejects when the signal fires, and hands a late value to onLate', async () => {
    const controller = new AbortController();
    let resolveLate!: (v: number) => void;
    const late: number[] = [];
    const raced = raceAbort(new Promise<number>((r) => (resolveLate = r)), controller.signal, 'predict', (v) => late.push(v));
    controller.abort(new Error('user'));
    const error = await rejection(raced);
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as Error).message).toMatch(/predict was aborted/);
    resolveLate(3);
    await new Promise((r) => setTimeout(r, 0));
    expect(late).toEqual([3]);
    expect(await raceAbort(Promise.resolve(5), new AbortController().signal, 'x')).toBe(5);
  });

  it('a black-box predict that never settles cannot hang explain when a signal is given', async () => {
    const x = tf.randomUniform([8, 8, 1], 0, 1, 'float32', 1);
    const before = tf.memory().numTensors;
    for (const method of ['occlusion', 'rise', 'lime'] as const) {
      const options = { method, signal: AbortSignal.timeout(200), ...(method === 'occlusion' ? { window: 4 } : {}) };
      const error = await rejection(explain({ predict: never }, x, options as never));
      expect(error).toBeInstanceOf(AbortedError);
    }
    // Through the tfjs adapter too (a preprocess makes black boxes go through it).
    const viaAdapter = {
      method: 'occlusion',
      window: 4,
      signal: AbortSignal.timeout(200),
      preprocess: (t: tf.Tensor4D) => tf.mul<tf.Tensor4D>(t, 2),
    };
    expect(await rejection(explain({ predict: never }, x, viaAdapter as never))).toBeInstanceOf(AbortedError);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('on the cpu backend a timer abort fires mid-run (the run yields between batches)', async () => {
    await tf.setBackend('cpu');
    try {
      const model = tinyCnn('sequential', weights);
      const x = tf.randomUniform([8, 8, 3], 0, 1, 'float32', 2);
      const before = tf.memory().numTensors;
      // 1024 steps in batches of 4: hundreds of synchronous batches, far longer than 30 ms.
      const run = explain(model, x, { method: 'integrated-gradients', steps: 1024, batchSize: 4, signal: AbortSignal.timeout(30) });
      expect(await rejection(run)).toBeInstanceOf(AbortedError);
      const cam = explain(model, x, { method: 'ablation-cam', batchSize: 1, signal: AbortSignal.timeout(1) });
      expect(await rejection(cam)).toBeInstanceOf(AbortedError);
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
    } finally {
      await tf.setBackend('webgpu');
    }
  });

  it('xrai honours the signal after its IG runs (segmentation, regions) and reports one monotone progress', async () => {
    const model = tinyCnn('sequential', weights);
    const x = tf.randomUniform([8, 8, 3], 0, 1, 'float32', 4);
    const steps = 4;
    const scales = [50, 100, 150];
    const options = { method: 'xrai', integratedGradients: { steps }, scales } as const;
    const seen: { done: number; total: number }[] = [];
    const full = await explain(model, x, { ...options, onProgress: (p) => seen.push({ done: p.done, total: p.total }) });
    const total = 2 * steps + scales.length + 1;
    expect(seen.every((p) => p.total === total)).toBe(true);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.done).toBeGreaterThanOrEqual(seen[i - 1]!.done);
    expect(seen.at(-1)!.done).toBe(total);
    tf.dispose([full.attribution, full.ranks]);
    // Abort once the first segmentation scale is done: the run must stop there, not finish.
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const onProgress = (p: { done: number }) => {
      if (p.done > 2 * steps) controller.abort();
    };
    const run = explain(model, x, { ...options, signal: controller.signal, onProgress });
    expect(await rejection(run)).toBeInstanceOf(AbortedError);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('checkpoint yields to timers on synchronous backends', async () => {
    await tf.setBackend('cpu');
    try {
      let fired = false;
      setTimeout(() => (fired = true), 0);
      const start = Date.now();
      while (!fired && Date.now() - start < 2000) await checkpoint(undefined, 'loop');
      expect(fired).toBe(true);
    } finally {
      await tf.setBackend('webgpu');
    }
  });
});

describe('typed errors where generic ones were thrown', () => {
  let weights: TinyCnnWeights;
  beforeAll(async () => {
    await tf.setBackend('webgpu');
    weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, classes: 3, seed: 8 });
  });
  afterAll(() => disposeWeights(weights));

  it('model functions that are async or return a non-tensor', async () => {
    const x = tf.zeros([8, 8, 3]);
    const asyncModel = (t: tf.Tensor4D) => Promise.resolve(tf.mean<tf.Tensor2D>(t, [1, 2]));
    const error = await rejection(explain(asyncModel as never, x, { method: 'saliency' }));
    expect(error).toBeInstanceOf(ModelError);
    expect((error as Error).message).toMatch(/returned a Promise; a model function must be synchronous/);
    const numbers = () => [1, 2, 3];
    const error2 = await rejection(explain(numbers as never, x, { method: 'occlusion', window: 4 }));
    expect(error2).toBeInstanceOf(ModelError);
    expect((error2 as Error).message).toMatch(/returned object, not a tf.Tensor/);
    x.dispose();
  });

  it('a duck-typed model without inputs, nothing at all, and listLayers of null name what was passed', () => {
    const duck = { layers: [], apply: () => null, getLayer: () => null };
    expect(() => adaptModel(duck as never)).toThrow(UnsupportedModelError);
    expect(() => adaptModel(duck as never)).toThrow(/no inputs\/outputs arrays/);
    expect(() => adaptModel(undefined as never)).toThrow(/cannot explain undefined:/);
    expect(() => adaptModel(42 as never)).toThrow(/cannot explain a number \(42\)/);
    expect(() => listLayers(null as never)).toThrow(/not null/);
    expect(() => listLayers({ predict: never })).toThrow(/not a black-box model/);
  });

  it('black-box maxBatch and numClasses must be positive integers', () => {
    for (const maxBatch of [2.5, 0, -1, Number.NaN]) {
      expect(() => adaptModel({ predict: never, maxBatch })).toThrow(InvalidOptionError);
    }
    expect(() => adaptModel({ predict: never, maxBatch: 0 })).toThrow(
      /black-box model: maxBatch must be an integer >= 1 \(or absent\), got 0/,
    );
    expect(() => adaptModel({ predict: never, numClasses: 1.5 })).toThrow(InvalidOptionError);
  });

  it("anchors' batchSize must be a positive integer", () => {
    const box = { predict: (_: Float32Array, s: number[]) => Promise.resolve(new Float32Array(s[0]! * 2)) };
    for (const batchSize of [Number.NaN, 0.5, -3]) {
      expect(() => createExplainer(box, { method: 'anchors', batchSize })).toThrow(/anchors: batchSize must be an integer >= 1/);
    }
  });

  it('a black box whose class count changes between calls', async () => {
    let calls = 0;
    const shifty = { predict: (_: Float32Array, s: number[]) => Promise.resolve(new Float32Array(s[0]! * (calls++ === 0 ? 3 : 4))) };
    const x = tf.randomUniform([8, 8, 1], 0, 1, 'float32', 3);
    const error = await rejection(explain(shifty, x, { method: 'occlusion', window: 4 }));
    expect(error).toBeInstanceOf(ModelError);
    expect((error as Error).message).toMatch(/returned 4 classes per image, but 3 before/);
    x.dispose();
  });

  it('never a generic error for these inputs: every failure is an XaiError', async () => {
    const model = tinyCnn('sequential', weights);
    const x = tf.zeros([8, 8, 3]);
    const bad: [unknown, unknown][] = [
      [model, null],
      [model, { method: 'saliency', target: 'first' }],
      [null, { method: 'saliency' }],
      [model, { method: 'integrated-gradients', steps: '8' }],
    ];
    for (const [m, options] of bad) {
      const error = await rejection(explain(m as never, x, options as never));
      expect(error).toBeInstanceOf(XaiError);
    }
    x.dispose();
  });

  it('a batchSize beyond the storage-binding limit is clamped to what the device can bind', async () => {
    const limit = tfjsDevice().limits.maxStorageBufferBindingSize;
    const elementCount = Math.floor(limit / 4 / 10); // ten images fill one binding
    expect(chooseBatchSize(elementCount, 1000, { batchSize: 1000 })).toBe(10);
    expect(chooseBatchSize(elementCount, 1000, {})).toBeLessThanOrEqual(10);
    const model = adaptModel({ predict: never });
    const call = { target: undefined, signal: undefined, onProgress: undefined, path: 'gpu' as const };
    const env = await perturbationEnv('lime', model, { shape: [1, 1, elementCount, 1] } as unknown as tf.Tensor4D, call, {
      batchSize: 1000,
    });
    expect(env.batchSize).toBe(10);
  });
});
