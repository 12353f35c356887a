// SPDX-License-Identifier: Apache-2.0
// The deferred input check: methods with `defersInputCheck` read the input's NaN/Inf flag in their
// own first readback. A bad input must still end in InvalidInputError (before any other error the
// method ran into), leak nothing, and a good one must cost one readback fewer.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { disposeWeights, tinyCnn, tinyCnnWeights, type TinyCnnWeights } from '@webxai/testing/models';
import { InvalidInputError, liveBufferCount } from '@webxai/shaders';
import { disposeResult } from './dispose-result.js';
import { explain, listMethods } from './explain.js';
import { METHODS } from './methods.js';
import { InputCheck, readChecked } from './input-check.js';
import { flushTfjs, tfjsDevice, tfjsUsedBufferCount } from '../interop/tfjs-webgpu.js';

const memory = () => {
  flushTfjs();
  return { tensors: tf.memory().numTensors, tfjsBuffers: tfjsUsedBufferCount(), ours: liveBufferCount(tfjsDevice()) };
};

describe('deferred input check (webgpu)', () => {
  let weights: TinyCnnWeights;
  let model: tf.LayersModel;
  let good: tf.Tensor4D;
  const bad: Record<string, tf.Tensor4D> = {};
  beforeAll(async () => {
    await tf.setBackend('webgpu');
    weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, filters: 6, classes: 4, seed: 41 });
    model = tinyCnn('sequential', weights);
    good = tf.randomUniform<tf.Rank.R4>([1, 8, 8, 3], 0, 1, 'float32', 9);
    const at = (value: number) =>
      tf.tensor4d(
        Float32Array.from({ length: 192 }, (_, i) => (i === 101 ? value : 0.5)),
        [1, 8, 8, 3],
      );
    bad['NaN'] = at(Number.NaN);
    bad['Inf'] = at(Number.POSITIVE_INFINITY);
  });
  afterAll(() => {
    tf.dispose([good, ...Object.values(bad)]);
    disposeWeights(weights);
  });
  afterEach(() => vi.restoreAllMocks());

  it('InputCheck reads the flag with the values, once; a NaN or Inf input throws InvalidInputError', async () => {
    // Warm-up: the inputs are uploaded to the GPU at their first use.
    for (const input of [good, ...Object.values(bad)]) await new InputCheck(input).settle().catch(() => undefined);
    const before = memory();
    const values = tf.tensor1d([3, -1.5]);
    const check = new InputCheck(good);
    expect(Array.from(await check.readWith(values))).toEqual([3, -1.5]);
    expect(Array.from(await check.readWith(values))).toEqual([3, -1.5]); // read: the values alone
    await check.settle(); // nothing left to read
    const ints = tf.tensor1d([2, 7], 'int32');
    expect(Array.from(await readChecked(undefined, ints))).toEqual([2, 7]);
    expect(Array.from(await readChecked(new InputCheck(good), ints))).toEqual([2, 7]); // cast to float32 with the flag
    ints.dispose();
    for (const input of Object.values(bad)) {
      await expect(new InputCheck(input).readWith(values)).rejects.toThrow(InvalidInputError);
      await expect(new InputCheck(input).settle()).rejects.toThrow(/input contains NaN or Inf values/);
      const dropped = new InputCheck(input);
      dropped.dispose();
      await dropped.settle(); // dropped unread: nothing to throw
    }
    values.dispose();
    expect(memory()).toEqual(before);
  });

  /** The perturbation methods, small (4 segments of 4x4 on the 8x8 input where they take segments). */
  const quads = Int32Array.from({ length: 64 }, (_, p) => Math.floor(p / 32) * 2 + Math.floor((p % 8) / 4));
  const PERTURBATION = [
    { method: 'occlusion', window: 4, stride: 4 },
    { method: 'rise', masks: 8, seed: 1 },
    { method: 'lime', samples: 8, seed: 1, segments: quads },
    { method: 'kernel-shap', samples: 8, seed: 1, segments: quads },
    { method: 'partition-shap', maxEvals: 8 },
    { method: 'anchors', segments: quads, seed: 1, maxSamples: 16 },
  ];

  const deferring = listMethods().filter((name) => METHODS[name]?.defersInputCheck);

  it('is taken by the CAMs, saliency, gradient x input, integrated gradients and the perturbation methods', () => {
    expect(deferring).toEqual(
      expect.arrayContaining([
        'grad-cam',
        'grad-cam++',
        'score-cam',
        'ablation-cam',
        'eigen-cam',
        'saliency',
        'gradient-x-input',
        'integrated-gradients',
      ]),
    );
    // A black box's values are read back for its batches anyway: the check runs over them on the host.
    expect(deferring).toEqual(expect.arrayContaining(PERTURBATION.map((options) => options.method)));
  });

  const variants = [
    { method: 'grad-cam' },
    { method: 'grad-cam', relu: false },
    { method: 'grad-cam', augSmooth: true },
    { method: 'grad-cam', eigenSmooth: true },
    { method: 'grad-cam', layer: ['conv1', 'conv2'] },
    { method: 'grad-cam++' },
    { method: 'layer-cam' },
    { method: 'eigen-cam' },
    { method: 'score-cam', batchSize: 4 },
    { method: 'ablation-cam', batchSize: 4 },
    { method: 'saliency' },
    { method: 'gradient-x-input', target: 2 },
    { method: 'integrated-gradients', steps: 4 },
    { method: 'integrated-gradients', steps: 4, baseline: 'blur', target: 1 },
    ...PERTURBATION, // a tfjs model: the check is read alone before the method's first pass
  ];

  it.for(variants)('$method %#: a NaN or Inf input -> InvalidInputError, nothing leaks', async (options) => {
    disposeResult(await explain(model, good, options as never)); // warm-up: pooled buffers
    const before = memory();
    for (const input of Object.values(bad)) {
      await expect(explain(model, input, options as never)).rejects.toThrow(InvalidInputError);
    }
    expect(memory()).toEqual(before);
  });

  /** The tiny CNN as a black box: its batches are written on the host from the input's values. */
  const blackBox = () => ({
    predict: async (batch: Float32Array, [n, h, w, c]: [number, number, number, number]) => {
      const scores = tf.tidy(() => model.predict(tf.tensor4d(batch, [n, h, w, c])) as tf.Tensor);
      return (await scores.data().finally(() => scores.dispose())) as Float32Array;
    },
  });

  it.for(PERTURBATION)(
    '$method, a black box: a NaN or Inf input -> InvalidInputError (checked on the host: readbacks in host-input.gpu.test.ts); nothing leaks',
    async (options) => {
      const box = blackBox();
      disposeResult(await explain(box, good, options as never)); // warm-up: pooled buffers
      const before = memory();
      for (const input of Object.values(bad)) {
        await expect(explain(box, input, options as never)).rejects.toThrow(InvalidInputError);
      }
      expect(memory()).toEqual(before);
    },
  );

  it('Grad-CAM of one image: ONE readback (map peaks + input check; was 3: the check, the peaks, the warnings)', async () => {
    for (const options of [
      { method: 'grad-cam', target: 1 },
      { method: 'grad-cam++', target: 1 },
      { method: 'hires-cam', target: 0 },
    ]) {
      disposeResult(await explain(model, good, options as never));
      const readbacks = vi.spyOn(GPUBuffer.prototype, 'mapAsync');
      disposeResult(await explain(model, good, options as never));
      expect({ ...options, readbacks: readbacks.mock.calls.length }).toEqual({ ...options, readbacks: 1 });
      readbacks.mockRestore();
    }
  });

  it('Grad-CAM of the predicted class: the class rides in the same ONE readback (was a second, for the argmax alone)', async () => {
    const argmax = tf.tidy(() => tf.argMax(model.predict(good) as tf.Tensor2D, 1));
    const predicted = Array.from(await argmax.data());
    argmax.dispose();
    for (const options of [{ method: 'grad-cam' }, { method: 'grad-cam++', target: 'predicted' }, { method: 'layer-cam' }]) {
      disposeResult(await explain(model, good, options as never));
      const readbacks = vi.spyOn(GPUBuffer.prototype, 'mapAsync');
      const result = await explain(model, good, options as never);
      expect({ ...options, readbacks: readbacks.mock.calls.length, target: result.target }).toEqual({
        ...options,
        readbacks: 1,
        target: predicted,
      });
      readbacks.mockRestore();
      disposeResult(result);
    }
  });
});
