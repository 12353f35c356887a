// SPDX-License-Identifier: Apache-2.0
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  cornerImages,
  disposeWeights,
  linearModel,
  quadrantModel,
  tinyCnn,
  tinyCnnWeights,
  type TinyCnnWeights,
} from '@webxai/testing/models';
import { AbortedError, gaussianBlurAxisRef, liveBufferCount, packBlurPlan, uniformRef } from '@webxai/shaders';
import { countReadbacks } from '@webxai/testing';
import { createExplainer, explain } from '../../api/explain.js';
import { flushTfjs, tfjsDevice, tfjsUsedBufferCount } from '../../interop/tfjs-webgpu.js';
import { blurSigmas } from './blur-ig.js';

const memory = () => {
  flushTfjs();
  return { tensors: tf.memory().numTensors, tfjsBuffers: tfjsUsedBufferCount(), ours: liveBufferCount(tfjsDevice()) };
};

/** scipy-style blur of one [h, w, c] image by the kernels' reference (the oracle). */
function blurRef(image: ArrayLike<number>, [h, w, c]: number[], sigma: number): Float32Array {
  const plan = packBlurPlan({ sourceRows: [0], sigmas: [sigma] });
  const pass = { height: h!, width: w!, channels: c!, pointCount: 1, firstPoint: 0 };
  return gaussianBlurAxisRef(gaussianBlurAxisRef(image, plan, { ...pass, axis: 0, sourceFromPlan: true }), plan, {
    ...pass,
    axis: 1,
    sourceFromPlan: false,
  });
}

describe('blur-ig', () => {
  let weights: TinyCnnWeights;
  beforeAll(async () => {
    await tf.setBackend('webgpu');
    weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, classes: 5, seed: 71 });
  });
  afterAll(() => disposeWeights(weights));

  it("uses PAIR's sigma schedule", () => {
    expect(Array.from(blurSigmas(50, 4, false))).toEqual([0, 12.5, 25, 37.5, 50]);
    expect(Array.from(blurSigmas(4, 4, true))).toEqual([0, 1, Math.SQRT2, Math.sqrt(3), 2]);
  });

  it('on a linear model: sum(attribution) ~ f(x) - f(blur(x, maxSigma)) (path integral along the blur)', async () => {
    const shape = [6, 6, 1];
    const { model, kernel } = linearModel({ height: 6, width: 6, channels: 1, classes: 2, seed: 3 });
    const x = tf.randomUniform([1, 6, 6, 1], 0, 1, 'float32', 22);
    const xs = await x.data();
    const r = await explain(model, x, { method: 'blur-ig', maxSigma: 3, steps: 200, target: 1, batchSize: 64 });
    const blurred = blurRef(xs, shape, 3);
    const exact = Array.from(xs).reduce((s, v, i) => s + (v - blurred[i]!) * kernel[i * 2 + 1]!, 0);
    const total = Array.from(await r.attribution.data()).reduce((s, v) => s + v, 0);
    expect(Math.abs(total - exact)).toBeLessThan(0.03 * Math.abs(exact) + 1e-4);
    tf.dispose([x, r.attribution]);
  });

  it("a given class: no forward pass of the clean input (each image's first path point is it), checks and attribution in ONE readback", async () => {
    const base = tinyCnn('sequential', weights);
    const batches: number[] = [];
    const model = (input: tf.Tensor4D) => (batches.push(input.shape[0]), base.apply(input) as tf.Tensor2D);
    const x = tf.randomUniform<tf.Rank.R4>([2, 8, 8, 3], 0, 1, 'float32', 25);
    const predicted = tf.tidy(() => tf.argMax(base.predict(x) as tf.Tensor, 1));
    const target = Array.from(await predicted.data());
    predicted.dispose();
    // 2 images x 6 steps in batches of 4: image 1's first point is row 2 of the second batch.
    const options = { method: 'blur-ig', steps: 6, maxSigma: 4, batchSize: 4 } as const;
    const read = async (t: number[] | 'predicted') => {
      const result = await explain(model, x, { ...options, target: t });
      const values = Array.from(await result.attribution.data());
      result.attribution.dispose();
      return values;
    };
    const want = await read('predicted'); // also the warm-up
    batches.length = 0;
    const wantBatches = (await read('predicted'), batches.splice(0));
    const before = memory();
    const { result: got, readbacks } = await countReadbacks(() => read(target));
    expect(got).toEqual(want); // the same bits
    expect({ readbacks, batches }).toEqual({ readbacks: 1, batches: [4, 4, 4] });
    expect(wantBatches).toEqual([2, 4, 4, 4]); // 'predicted' needs the classes first: the clean input's forward
    expect(memory()).toEqual(before);
    x.dispose();
  });

  it("'predicted' seeds each point with its image's argmax on the device while the classes are read: the given classes' bits", async () => {
    const x = cornerImages(); // image 0 predicts class 0 of quadrantModel, image 1 class 3
    const options = { method: 'blur-ig', steps: 3, maxSigma: 2, batchSize: 4 } as const; // a batch mixes both images
    const before = memory();
    const { result: predicted, readbacks } = await countReadbacks(() => explain(quadrantModel, x, options));
    expect(predicted.target).toEqual([0, 3]);
    expect(readbacks).toBe(1); // the classes, with the input's check
    const given = await explain(quadrantModel, x, { ...options, target: [0, 3] });
    expect(Array.from(await predicted.attribution.data())).toEqual(Array.from(await given.attribution.data()));
    tf.dispose([predicted.attribution, given.attribution]);
    expect(memory()).toEqual(before);
    x.dispose();
  });

  it('agrees between webgpu and cpu, leaks nothing, and stops within one batch on abort', async () => {
    await tf.setBackend('cpu');
    const w = tinyCnnWeights({ height: 8, width: 8, channels: 3, classes: 5, seed: 72 });
    const model = tinyCnn('sequential', w);
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 23);
    const options = { method: 'blur-ig', steps: 10, maxSigma: 4, batchSize: 7 } as const;
    const cpu = await explain(model, x, options);
    expect(cpu.path).toBe('cpu');
    const cpuValues = Array.from(await cpu.attribution.data());
    cpu.attribution.dispose();
    await tf.setBackend('webgpu');
    const ex = createExplainer(model, options);
    const gpu = await ex.explain(x);
    expect(Array.from(await gpu.attribution.data())).toBeAllClose(cpuValues, { abs: 1e-4, rel: 1e-3 });
    gpu.attribution.dispose();
    const before = memory();
    for (let i = 0; i < 20; i++) (await ex.explain(x)).attribution.dispose();
    expect(memory()).toEqual(before);
    const controller = new AbortController();
    const done: number[] = [];
    const error = await ex
      .explain(x, { signal: controller.signal, onProgress: (p) => (done.push(p.done), controller.abort()) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect(done).toEqual([7]);
    expect(memory()).toEqual(before);
    ex.dispose();
    await expect(explain(model, x, { method: 'blur-ig', sqrt: 1 as never })).rejects.toThrow(/sqrt must be a boolean/);
    await expect(explain(model, x, { method: 'blur-ig', gradStep: 0 })).rejects.toThrow(/gradStep must be/);
    x.dispose();
    disposeWeights(w);
  });
});

describe("integrated gradients' 'blur' and 'uniform-noise' baselines", () => {
  it('on a linear model: IG = (x - b) * w with b the blurred image / seeded uniform noise in [min, max]', async () => {
    await tf.setBackend('webgpu');
    const { model, kernel } = linearModel({ height: 5, width: 4, channels: 2, classes: 2, seed: 8 });
    const x = tf.randomUniform([2, 5, 4, 2], -1, 1, 'float32', 24);
    const xs = await x.data();
    const w = (i: number) => kernel[(i % 40) * 2]!;
    const blur = await explain(model, x, { method: 'integrated-gradients', baseline: 'blur', baselineSigma: 1.5, target: 0, steps: 4 });
    const blurred = [...blurRef(xs.subarray(0, 40), [5, 4, 2], 1.5), ...blurRef(xs.subarray(40), [5, 4, 2], 1.5)];
    expect(Array.from(await blur.attribution.data())).toBeAllClose(
      blurred.map((b, i) => (xs[i]! - b) * w(i)),
      { abs: 1e-5, rel: 1e-4 },
    );
    const noise = await explain(model, x, { method: 'integrated-gradients', baseline: 'uniform-noise', seed: 6, target: 0, steps: 4 });
    const u = uniformRef(6, 0, 80);
    const image = (i: number) => Array.from(xs.subarray(Math.floor(i / 40) * 40, Math.floor(i / 40) * 40 + 40));
    const want = Array.from(xs, (v, i) => {
      const [lo, hi] = [Math.min(...image(i)), Math.max(...image(i))];
      return (v - (lo + u[i]! * (hi - lo))) * w(i);
    });
    expect(Array.from(await noise.attribution.data())).toBeAllClose(want, { abs: 1e-5, rel: 1e-4 });
    tf.dispose([x, blur.attribution, noise.attribution]);
  });
});
