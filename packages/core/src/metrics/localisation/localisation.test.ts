// SPDX-License-Identifier: Apache-2.0
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { InvalidInputError, ShapeMismatchError } from '@webxai/shaders';
import { evaluate } from '../evaluate.js';

const model = (x: tf.Tensor4D) => tf.sum<tf.Tensor2D>(x, [1, 2]);

describe('localisation metrics', () => {
  beforeAll(() => tf.setBackend('cpu'));

  it('pointing game: the first maximum in row-major order, with a tolerance radius', async () => {
    const x = tf.zeros([2, 3, 4, 1]);
    // image 0: a tie between pixels 1 and 6 -> pixel 1 (row 0, col 1); image 1: max at pixel 11 (row 2, col 3)
    const a = tf.tensor3d([0, 5, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, /**/ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9], [2, 3, 4]);
    const mask = tf.tensor2d([0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [3, 4]);
    expect((await evaluate(model, x, a, { metric: 'pointing-game', mask })).scores).toEqual([1, 0]);
    // pixel 11 is sqrt(2^2 + 2^2) = 2.83 from pixel 1
    expect((await evaluate(model, x, a, { metric: 'pointing-game', mask, tolerance: 2.8 })).scores).toEqual([1, 0]);
    expect((await evaluate(model, x, a, { metric: 'pointing-game', mask, tolerance: 2.9 })).scores).toEqual([1, 1]);
    tf.dispose([x, a, mask]);
  });

  it('relevance mass and rank by hand', async () => {
    const x = tf.zeros([1, 2, 3, 2]);
    // per-pixel map (channels summed): [4, -2, 1, 0, 3, 2]
    const a = tf.tensor4d([3, 1, -1, -1, 0.5, 0.5, 0, 0, 1, 2, 1, 1], [1, 2, 3, 2]);
    const mask = tf.tensor3d([1, 1, 0, 0, 1, 0], [1, 2, 3]);
    // positive relevance: 4 + 1 + 3 + 2 = 10, inside: 4 + 3 = 7
    expect((await evaluate(model, x, a, { metric: 'relevance-mass', mask })).scores[0]).toBeCloseTo(0.7, 12);
    // K = 3: the top 3 are pixels 0 (4), 4 (3), 5 (2): two inside the mask
    expect((await evaluate(model, x, a, { metric: 'relevance-rank', mask })).scores[0]).toBeCloseTo(2 / 3, 12);
    tf.dispose([x, a, mask]);
  });

  it('sparseness (Gini) and complexity (entropy) by hand', async () => {
    const x = tf.zeros([3, 1, 4, 1]);
    const a = tf.tensor3d([1, 1, 1, 1, /**/ 0, 0, 0, 5, /**/ 0, -1, 0, 3], [3, 1, 4]);
    const gini = (await evaluate(model, x, a, { metric: 'sparseness' })).scores;
    // flat: 0; one-hot of 4: (2*4 - 4 - 1) / 4 = 0.75; sorted [0, 0, 1, 3] with weights -3, -1, 1, 3: (1 + 9) / (4 * 4)
    expect(gini).toBeAllClose([0, 0.75, 0.625], { abs: 1e-12, rel: 0 });
    const h = (await evaluate(model, x, a, { metric: 'complexity' })).scores;
    expect(h).toBeAllClose([Math.log(4), 0, -(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75))], { abs: 1e-12, rel: 0 });
    tf.dispose([x, a]);
  });

  it('rejects a wrong-shaped, missing or empty mask with a typed error', async () => {
    const x = tf.zeros([2, 3, 4, 1]);
    const a = tf.ones([2, 3, 4]);
    const bad = tf.ones([4, 3]);
    const empty = tf.zeros([3, 4]);
    await expect(evaluate(model, x, a, { metric: 'relevance-mass', mask: bad })).rejects.toThrow(ShapeMismatchError);
    await expect(evaluate(model, x, a, { metric: 'relevance-mass', mask: bad })).rejects.toThrow(/mask has shape \[4,3\]/);
    await expect(evaluate(model, x, a, { metric: 'pointing-game' } as never)).rejects.toThrow(/mask must be a live tf.Tensor/);
    await expect(evaluate(model, x, a, { metric: 'relevance-rank', mask: empty })).rejects.toThrow(InvalidInputError);
    await expect(evaluate(model, x, a, { metric: 'pointing-game', mask: empty, tolerance: -1 })).rejects.toThrow(/tolerance/);
    tf.dispose([x, a, bad, empty]);
  });
});
