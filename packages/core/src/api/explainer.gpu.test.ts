// SPDX-License-Identifier: Apache-2.0
// The dispatcher's contract, checked with a minimal method defined here ('probe': attribution =
// d score[target] / d input through the adapter), on the tfjs webgpu backend (Dawn).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { disposeWeights, linearModel, tinyCnn, tinyCnnGraphModel, tinyCnnWeights, type TinyCnnWeights } from '@webxai/testing/models';
import {
  AbortedError,
  InvalidInputError,
  InvalidOptionError,
  ModelError,
  ShapeMismatchError,
  UnsupportedModelError,
} from '@webxai/shaders';
import { createExplainerFor } from './explainer.js';
import { resolveTargets, targetScoreSum } from './targets.js';
import type { MethodDefinition } from './types.js';
import { adaptModel } from '../model/adapt.js';
import { explain } from './explain.js';

// A throwaway method for this test only, registered as a type so the dispatcher's generics apply.
declare module './types.js' {
  interface MethodRegistry {
    'test-probe': {
      options: Record<never, never>;
      result: { attribution: tf.Tensor; target: number[]; path: string; method: string; backend: string; timeMs: number };
    };
  }
}
const probe: MethodDefinition<'test-probe'> = {
  name: 'test-probe',
  requires: 'gradients',
  optionNames: {},
  create(model) {
    return {
      async explain(input, call) {
        const scores = tf.tidy(() => model.forward!(input));
        const target = await resolveTargets(call.target, scores);
        scores.dispose();
        const attribution = tf.grad((x: tf.Tensor) => targetScoreSum(model.forward!(x as tf.Tensor4D), target))(input);
        return { attribution, target };
      },
      dispose() {},
    };
  },
};

describe('model adapters and the explain dispatcher', () => {
  let weights: TinyCnnWeights;
  beforeAll(async () => {
    await tf.setBackend('webgpu');
    weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, classes: 5, seed: 3 });
  });
  afterAll(() => disposeWeights(weights));

  it('recognises every model kind and gives the same scores for the same weights', async () => {
    const x = tf.randomUniform<tf.Rank.R4>([2, 8, 8, 3], 0, 1, 'float32', 11);
    const sequential = tinyCnn('sequential', weights);
    const nested = tinyCnn('nested', weights);
    const graph = await tinyCnnGraphModel(weights);
    const asFunction = (input: tf.Tensor4D) => sequential.predict(input) as tf.Tensor2D;
    const kinds = [adaptModel(sequential), adaptModel(nested), adaptModel(graph), adaptModel(asFunction)];
    expect(kinds.map((k) => k.kind)).toEqual(['layers', 'layers', 'graph', 'function']);
    expect(kinds[0]!.inputShape).toEqual([8, 8, 3]);
    const scores = await Promise.all(kinds.map(async (k) => Array.from(await (await k.predict(x)).data())));
    for (const s of scores.slice(1)) expect(s).toBeAllClose(scores[0]!, { abs: 1e-5, rel: 1e-4 });
    tf.dispose(x);
  });

  it('explains with a registered definition and leaks nothing', async () => {
    const model = tinyCnn('sequential', weights);
    const x = tf.randomUniform([3, 8, 8, 3], 0, 1, 'float32', 12);
    const ex = createExplainerFor(probe, model, { method: 'test-probe' });
    const warm = await ex.explain(x, { target: [0, 1, 4] });
    warm.attribution.dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) {
      const r = await ex.explain(x, { target: 2 });
      expect(r.attribution.shape).toEqual([3, 8, 8, 3]);
      expect(r.target).toEqual([2, 2, 2]);
      expect(r.path).toBe('gpu');
      expect(r.backend).toBe('webgpu');
      expect(r.method).toBe('test-probe');
      r.attribution.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    ex.dispose();
    x.dispose();
  });

  it("returns a per-pixel attribution of a 3-D input in exactly the input's shape", async () => {
    const model = tinyCnn('sequential', weights);
    const x = tf.randomUniform([8, 8, 3], 0, 1, 'float32', 14);
    const before = tf.memory().numTensors;
    const r = await createExplainerFor(probe, model, { method: 'test-probe' }).explain(x);
    expect(r.attribution.shape).toEqual([8, 8, 3]);
    expect(r.target).toHaveLength(1);
    r.attribution.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('gives d score / d input = the weight row on a linear model', async () => {
    const { model, kernel } = linearModel({ height: 2, width: 3, channels: 1, classes: 3, seed: 5 });
    const x = tf.randomUniform([2, 3, 1], 0, 1, 'float32', 13);
    const r = await createExplainerFor(probe, model, { method: 'test-probe' }).explain(x, { target: 1 });
    const want = Array.from({ length: 6 }, (_, i) => kernel[i * 3 + 1]!);
    expect(Array.from(await r.attribution.data())).toBeAllClose(want, { abs: 1e-6, rel: 1e-5 });
    tf.dispose([x, r.attribution]);
  });

  describe('bad input gets a typed error that names the problem', () => {
    const model = () => tinyCnn('sequential', weights);
    const run = (input: tf.Tensor, target?: number | number[]) =>
      createExplainerFor(probe, model(), { method: 'test-probe' }).explain(input, target === undefined ? {} : { target });

    it('wrong rank, dtype, channels and size', async () => {
      const cases: [tf.Tensor, RegExp][] = [
        [tf.zeros([8, 8]), /rank 3 .* or 4 .*got rank 2/],
        [tf.zeros([1, 8, 8, 3], 'int32'), /must be float32, got int32/],
        [tf.zeros([1, 8, 8, 1]), /channels is 1 but the model expects 3/],
        [tf.zeros([1, 9, 8, 3]), /height is 9 but the model expects 8/],
      ];
      for (const [input, message] of cases) {
        await expect(run(input)).rejects.toThrow(ShapeMismatchError);
        await expect(run(input)).rejects.toThrow(message);
        input.dispose();
      }
    });

    it('NaN or Inf in the input', async () => {
      const x = tf.tensor4d(
        Float32Array.from({ length: 192 }, (_, i) => (i === 77 ? Number.NaN : 0)),
        [1, 8, 8, 3],
      );
      await expect(run(x)).rejects.toThrow(InvalidInputError);
      x.dispose();
    });

    it('targets out of range, of the wrong length, negative or fractional', async () => {
      const x = tf.zeros([2, 8, 8, 3]);
      await expect(run(x, 5)).rejects.toThrow(/target class 5 is out of range: the model has 5 classes/);
      await expect(run(x, [1])).rejects.toThrow(/target has 1 entries but the input has 2 images/);
      await expect(run(x, -1)).rejects.toThrow(InvalidOptionError);
      await expect(run(x, 1.5)).rejects.toThrow(/non-negative integers, got 1.5/);
      x.dispose();
    });

    it('a model whose output is not [batch, classes]', async () => {
      const bad = (x: tf.Tensor4D) => tf.mean(x, [1, 2]).expandDims(2) as unknown as tf.Tensor2D;
      const x = tf.zeros([1, 8, 8, 3]);
      const error = await createExplainerFor(probe, bad, { method: 'test-probe' })
        .explain(x)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnsupportedModelError);
      expect((error as Error).message).toMatch(/returned \[1,3,1\] .* needs float32 scores of shape \[1, classes\]/);
      x.dispose();
    });

    it('a model that throws, and anything that is not a model', async () => {
      const throwing = () => {
        throw new Error('boom');
      };
      const x = tf.zeros([1, 8, 8, 3]);
      await expect(createExplainerFor(probe, throwing, { method: 'test-probe' }).explain(x)).rejects.toThrow(ModelError);
      expect(() => adaptModel(42 as never)).toThrow(/cannot explain a number/);
      x.dispose();
    });

    it('a gradient method on a black box, an unknown method, an aborted signal', async () => {
      const box = { predict: (b: Float32Array) => Promise.resolve(new Float32Array((b.length / 192) * 5)) };
      expect(() => createExplainerFor(probe, box, { method: 'test-probe' })).toThrow(
        /needs gradients, but a black-box model only predicts/,
      );
      await expect(explain(model(), tf.zeros([8, 8, 3]), { method: 'nope' } as never)).rejects.toThrow(/unknown method 'nope'/);
      const controller = new AbortController();
      controller.abort();
      await expect(
        createExplainerFor(probe, model(), { method: 'test-probe', signal: controller.signal }).explain(tf.zeros([8, 8, 3])),
      ).rejects.toThrow(AbortedError);
    });
  });

  describe('black-box models', () => {
    const x = () => tf.randomUniform<tf.Rank.R4>([3, 4, 4, 1], 0, 1, 'float32', 3);
    it('predict in batches no larger than maxBatch and reassemble rows in order', async () => {
      const calls: number[] = [];
      const box = {
        maxBatch: 2,
        predict: (b: Float32Array, shape: [number, number, number, number]) => {
          calls.push(shape[0]);
          const out = new Float32Array(shape[0] * 2);
          for (let i = 0; i < shape[0]; i++) out[i * 2] = b[i * 16]!; // class 0 = first pixel
          return Promise.resolve(out);
        },
      };
      const input = x();
      const scores = await adaptModel(box).predict(input);
      expect(calls).toEqual([2, 1]);
      expect(scores.shape).toEqual([3, 2]);
      const firstPixels = Array.from(await tf.slice(input, [0, 0, 0, 0], [3, 1, 1, 1]).data());
      expect(Array.from(await scores.data()).filter((_, i) => i % 2 === 0)).toEqual(firstPixels);
      tf.dispose([input, scores]);
    });
    it('wrong shape, NaN and rejection become ModelError', async () => {
      const input = x();
      const wrong = { predict: () => Promise.resolve(new Float32Array(7)) };
      const nan = { predict: (_: Float32Array, s: number[]) => Promise.resolve(new Float32Array(s[0]! * 2).fill(Number.NaN)) };
      const rejecting = { predict: async () => Promise.reject(new Error('endpoint down')) };
      await expect(adaptModel(wrong).predict(input)).rejects.toThrow(/returned 7 values for 3 images/);
      await expect(adaptModel(nan).predict(input)).rejects.toThrow(/returned NaN at index 0/);
      await expect(adaptModel(rejecting).predict(input)).rejects.toThrow(/rejected: endpoint down/);
      input.dispose();
    });
  });
});
