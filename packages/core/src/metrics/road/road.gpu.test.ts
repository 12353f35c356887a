// SPDX-License-Identifier: Apache-2.0
import { beforeEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { disposeWeights, tinyCnn, tinyCnnWeights } from '@webxai/testing/models';
import { countReadbacks } from '@webxai/testing';
import { InvalidInputError, InvalidOptionError, liveBufferCount } from '@webxai/shaders';
import { tfjsDevice, tfjsUsedBufferCount } from '../../interop/tfjs-webgpu.js';
import { evaluate } from '../evaluate.js';
import { noisyLinearImpute } from './imputation.js';
import { road } from './road.js';
import { adaptModel } from '../../model/adapt.js';
import { readAttribution, type AttributionRead } from '../shared/attribution.js';

describe('ROAD', () => {
  beforeEach(() => tf.setBackend('webgpu'));

  it('imputes a linear ramp exactly inside the image (the neighbour weights are symmetric), keeps the rest', () => {
    const [h, w, c] = [7, 8, 2];
    const image = Float32Array.from({ length: h * w * c }, (_, i) => {
      const [p, ch] = [Math.floor(i / c), i % c];
      return 0.3 * Math.floor(p / w) - 0.2 * (p % w) + ch;
    });
    const removed = new Uint8Array(h * w);
    for (const p of [9, 10, 11, 18, 19, 27, 36, 44, 45]) removed[p] = 1; // interior pixels, one blob and a chain
    const out = noisyLinearImpute(image, removed, h, w, c, { noise: 0, seed: 0, streamOffset: 0 });
    expect(out).toBeAllClose(image, { abs: 1e-6, rel: 0 });
    const noisy = noisyLinearImpute(image, removed, h, w, c, { noise: 0.1, seed: 3, streamOffset: 0 });
    for (let p = 0; p < h * w; p++) for (let ch = 0; ch < c; ch++) if (!removed[p]) expect(noisy[p * c + ch]).toBe(image[p * c + ch]);
    expect(Array.from(noisy)).not.toEqual(Array.from(image));
  });

  it('a constant image stays constant whatever is removed: a flat curve at f(x)', async () => {
    const model = (x: tf.Tensor4D) =>
      tf.tidy(() => tf.concat([tf.sum(tf.slice(x, [0, 1, 1, 0], [-1, 2, 2, 1]), [1, 2]), tf.zeros([x.shape[0], 1])], 1) as tf.Tensor2D);
    const x = tf.fill([1, 5, 5, 1], 0.5);
    const a = tf.randomNormal([1, 5, 5], 0, 1, 'float32', 1);
    const r = await evaluate(model, x, a, { metric: 'road', noise: 0, output: 'logit', target: 0, fractions: [0.2, 0.6, 0.96] });
    expect(r.curves![0]).toBeAllClose([2, 2, 2], { abs: 1e-5, rel: 0 });
    expect(r.scores[0]).toBeCloseTo(2, 5);
    tf.dispose([x, a]);
  });

  it('on the GPU path the original and then its imputations go to the model in 3 batches, read back once with the input and map read once', async () => {
    const weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, seed: 2 });
    const inner = tinyCnn('sequential', weights);
    const sizes: number[] = [];
    const model = (v: tf.Tensor4D) => (sizes.push(v.shape[0]), inner.predict(v) as tf.Tensor2D);
    const x = tf.randomUniform([1, 8, 8, 3], 0, 1, 'float32', 3);
    const a = tf.randomNormal([1, 8, 8], 0, 1, 'float32', 4);
    await evaluate(model, x, a, { metric: 'road', target: 0 }); // warm-up: pipelines, pooled buffers
    sizes.length = 0;
    const held = () => [tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(tfjsDevice())];
    const before = held();
    const { result: r, readbacks } = await countReadbacks(() => evaluate(model, x, a, { metric: 'road' }));
    expect(held()).toEqual(before);
    // The original goes first (it needs no map), then the host solves batch k + 1 while the GPU runs
    // batch k; the original's scores (the target's resolution) come back with the imputations'.
    expect(sizes).toEqual([1, 5, 4]);
    expect(readbacks).toBe(2);
    expect(r.curves![0]!.length).toBe(9);
    // The input's NaN / Inf check rides in the attribution's readback, for every metric.
    const nan = tf.tidy(() => tf.where(tf.equal(tf.range(0, x.size).reshape(x.shape), 5), tf.fill(x.shape, NaN), x));
    for (const metric of ['road', 'infidelity', 'deletion'] as const)
      await expect(evaluate(model, nan, a, { metric })).rejects.toThrow(InvalidInputError);
    nan.dispose();
    expect(held()).toEqual(before);
    tf.dispose([x, a]);
    inner.dispose();
    disposeWeights(weights);
  });

  it("sends the original forward before the map's readback lands (the imputations wait for it), same scores as evaluate", async () => {
    const weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, seed: 2 });
    const inner = tinyCnn('sequential', weights);
    const sizes: number[] = [];
    const model = (v: tf.Tensor4D) => (sizes.push(v.shape[0]), inner.predict(v) as tf.Tensor2D);
    const x = tf.randomUniform<tf.Rank.R4>([2, 8, 8, 3], 0, 1, 'float32', 3);
    const a = tf.randomNormal<tf.Rank.R4>([2, 8, 8, 1], 0, 1, 'float32', 4);
    const viaEvaluate = await evaluate(model, x, a, { metric: 'road', target: 1 });
    sizes.length = 0;
    let land!: (read: AttributionRead) => void;
    const reading = new Promise<AttributionRead>((resolve) => (land = resolve));
    const [height, width, channels] = [8, 8, 3];
    const inputs = { model: adaptModel(model), input: x, attribution: a, height, width, channels, target: 1 };
    const base = { ...inputs, path: 'gpu' as const, signal: undefined, batchSize: 16, preprocess: false };
    if (!('runWhileReading' in road)) throw new Error('ROAD runs while its map is read');
    const running = road.runWhileReading({ ...base, reading }, { metric: 'road' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sizes).toEqual([2]); // the originals, while the map is still on its way
    land(await readAttribution(a, x, undefined));
    const r = await running;
    expect(sizes).toEqual([2, 9, 9]);
    expect(r.scores).toEqual(viaEvaluate.scores);
    // More originals than a batch holds go forward in batches of it, then their imputations.
    sizes.length = 0;
    const oneByOne = await evaluate(model, x, a, { metric: 'road', target: 1, batchSize: 1 });
    expect(sizes).toEqual([1, 1, ...new Array<number>(18).fill(1)]);
    expect(oneByOne.curves![1]).toBeAllClose(viaEvaluate.curves![1]!, { abs: 1e-6, rel: 1e-5 });
    tf.dispose([x, a]);
    inner.dispose();
    disposeWeights(weights);
  });

  it('webgpu = cpu on the tiny CNN, morf and lerf differ, typed errors', async () => {
    const run = async (order: 'morf' | 'lerf') => {
      const weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, seed: 2 });
      const model = tinyCnn('sequential', weights);
      const x = tf.tensor4d(
        Array.from({ length: 2 * 8 * 8 * 3 }, (_, i) => Math.abs(Math.sin(i))),
        [2, 8, 8, 3],
      );
      const a = tf.tensor3d(
        Array.from({ length: 2 * 64 }, (_, i) => Math.cos(i)),
        [2, 8, 8],
      );
      const r = await evaluate(model, x, a, { metric: 'road', order, seed: 4 });
      tf.dispose([x, a]);
      model.dispose();
      disposeWeights(weights);
      return r;
    };
    const gpu = await run('morf');
    const lerf = await run('lerf');
    await tf.setBackend('cpu');
    const cpu = await run('morf');
    expect(gpu.curves![0]!.length).toBe(9);
    for (let i = 0; i < 2; i++) expect(gpu.curves![i]).toBeAllClose(cpu.curves![i]!, { abs: 1e-5, rel: 1e-4 });
    expect(lerf.scores).not.toEqual(gpu.scores);
    const x = tf.ones([1, 4, 4, 1]);
    const m = (v: tf.Tensor4D) => tf.sum<tf.Tensor2D>(v, [1, 2]);
    await expect(evaluate(m, x, tf.ones([1, 4, 4]), { metric: 'road', fractions: [0.5, 0.2] })).rejects.toThrow(InvalidOptionError);
    await expect(evaluate(m, x, tf.ones([1, 4, 4]), { metric: 'road', fractions: [1] })).rejects.toThrow(
      /fractions must be ascending numbers in \(0, 1\)/,
    );
    await expect(evaluate(m, x, tf.ones([1, 4, 4]), { metric: 'road', order: 'most' as never })).rejects.toThrow(/order must be/);
    await expect(evaluate(m, x, tf.ones([1, 4, 4]), { metric: 'road', output: 'logits' as never })).rejects.toThrow(
      /road: output must be 'probability' or 'logit', got "logits"/,
    );
    x.dispose();
  });
});
