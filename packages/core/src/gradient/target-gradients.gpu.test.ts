// SPDX-License-Identifier: Apache-2.0
// gradientForTarget: the target comes from the gradient pass's own scores (one model call, one
// readback for classes + finiteness), with the same gradients, targets and errors as a separate
// predict -> resolveTargets -> targetGradients.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { countedModel, disposeWeights, tinyCnn, tinyCnnWeights, type CountedModel, type TinyCnnWeights } from '@webxai/testing/models';
import { InvalidOptionError, liveBufferCount, ModelError, UnsupportedModelError } from '@webxai/shaders';
import { explain } from '../api/explain.js';
import { resolveTargets } from '../api/targets.js';
import { adaptModel } from '../model/adapt.js';
import { flushTfjs, tfjsDevice, tfjsUsedBufferCount } from '../interop/tfjs-webgpu.js';
import { classesAhead, gradientForTarget, targetGradients } from './target-gradients.js';

const memory = () => {
  flushTfjs();
  return { tensors: tf.memory().numTensors, tfjsBuffers: tfjsUsedBufferCount(), ours: liveBufferCount(tfjsDevice()) };
};

describe('gradientForTarget (webgpu)', () => {
  let weights: TinyCnnWeights;
  let network: tf.LayersModel;
  let x: tf.Tensor4D;
  let counted: CountedModel;
  beforeAll(async () => {
    await tf.setBackend('webgpu');
    weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, classes: 5, seed: 33 });
    network = tinyCnn('sequential', weights);
    counted = countedModel(network); // checks that 3 x 8 x 8 x 3 = 576 inputs reach the GPU
    x = tf.randomUniform<tf.Rank.R4>([3, 8, 8, 3], 0, 1, 'float32', 8);
  });
  afterAll(() => {
    tf.dispose([x]);
    disposeWeights(weights);
  });
  afterEach(() => vi.restoreAllMocks());

  it("gives predict + resolveTargets + targetGradients' targets and exactly their gradients", async () => {
    const model = adaptModel(network);
    for (const target of ['predicted', undefined, 2, [4, 0, 1]] as const) {
      const scores = await model.predict(x);
      const want = await resolveTargets(target, scores).finally(() => scores.dispose());
      const wantGradient = targetGradients(model, x, want);
      const got = await gradientForTarget(model, x, target);
      expect(got.target).toEqual(want);
      expect(Array.from(await got.gradient.data())).toEqual(Array.from(await wantGradient.data()));
      expect(got.gradient.shape).toEqual(x.shape);
      tf.dispose([got.gradient, wantGradient]);
    }
  });

  it("classesAhead.release: a caller that stops before reading the classes is left with nothing once it resolves (an abort's path)", async () => {
    const model = adaptModel(network);
    await classesAhead(model, x, 'predicted').release(); // warm-up: compiled pipelines, pooled buffers
    const before = memory();
    for (const target of ['predicted', [4, 0, 1]] as const) {
      const ahead = classesAhead(model, x, target);
      ahead.seeds();
      // The readback cannot have landed yet: its scores are still held.
      expect(memory().tensors).toBeGreaterThan(before.tensors);
      await ahead.release();
      expect(memory()).toEqual(before);
    }
    // A rejecting readback (a class out of range) is released the same way, its error not reported.
    const bad = classesAhead(model, x, 7);
    await bad.release();
    expect(memory()).toEqual(before);
  });

  it('saliency and gradient x input: one model call and ONE readback (input check included), for any target', async () => {
    for (const method of ['saliency', 'gradient-x-input'] as const) {
      for (const target of ['predicted', 1] as const) {
        (await explain(counted.model, x, { method, target })).attribution.dispose(); // warm-up
        const readbacks = vi.spyOn(GPUBuffer.prototype, 'mapAsync');
        counted.reset();
        const result = await explain(counted.model, x, { method, target });
        // The input's finiteness, the classes and the scores' finiteness in one (was: + the input check alone,
        // + predict's NaN check, + argmax).
        expect({ method, target, calls: counted.calls, readbacks: readbacks.mock.calls.length }).toEqual({
          method,
          target,
          calls: 1,
          readbacks: 1,
        });
        readbacks.mockRestore();
        result.attribution.dispose();
      }
    }
  });

  it('finish runs on the gradient before the readback is awaited; its input is released, also when the check or finish throws', async () => {
    const model = adaptModel(network);
    const plain = await gradientForTarget(model, x, 2);
    const want = Array.from(await plain.gradient.data()).map(Math.abs);
    plain.gradient.dispose();
    const before = memory();
    let finishedBeforeReadback = false;
    const pending = gradientForTarget(model, x, 2, undefined, (g) => {
      finishedBeforeReadback = true;
      return tf.abs(g);
    });
    // gradientForTarget runs synchronously up to its readback: finish's kernels share that flush.
    expect(finishedBeforeReadback).toBe(true);
    const got = await pending;
    expect(Array.from(await got.gradient.data())).toEqual(want);
    got.gradient.dispose();
    expect(memory()).toEqual(before);

    const nanModel = adaptModel((input: tf.Tensor4D) => tf.mul<tf.Tensor2D>(network.apply(input) as tf.Tensor2D, tf.scalar(Number.NaN)));
    await expect(gradientForTarget(nanModel, x, 0, undefined, (g) => tf.abs(g))).rejects.toThrow(ModelError);
    const broken = () => {
      throw new RangeError('finish failed');
    };
    await expect(gradientForTarget(model, x, 0, undefined, broken)).rejects.toThrow('finish failed');
    expect(memory()).toEqual(before);
  });

  it('NaN scores -> ModelError, a class out of range -> InvalidOptionError, a bad output shape -> UnsupportedModelError; nothing leaks', async () => {
    const nanModel = (input: tf.Tensor4D) => tf.mul<tf.Tensor2D>(network.apply(input) as tf.Tensor2D, tf.scalar(Number.NaN));
    const flat = (input: tf.Tensor4D) => tf.mean(input, [1, 2, 3]) as unknown as tf.Tensor2D;
    (await explain(counted.model, x, { method: 'saliency' })).attribution.dispose(); // warm-up: pooled buffers
    const before = memory();
    await expect(explain(nanModel, x, { method: 'saliency' })).rejects.toThrow(ModelError);
    await expect(explain(nanModel, x, { method: 'saliency', target: 0 })).rejects.toThrow(/returned NaN or Inf scores/);
    await expect(explain(counted.model, x, { method: 'saliency', target: 5 })).rejects.toThrow(InvalidOptionError);
    await expect(explain(counted.model, x, { method: 'gradient-x-input', target: [0, 9, 1] })).rejects.toThrow(
      /target class 9 is out of range/,
    );
    await expect(explain(flat, x, { method: 'saliency' })).rejects.toThrow(UnsupportedModelError);
    expect(memory()).toEqual(before);
  });

  it("a backward pass that throws: the model's error, and neither the tape nor the kept scores leak", async () => {
    // An identity on the scores whose gradient fails: the forward pass (and the scores kept from it) completes.
    const failing = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
      value: tf.clone(args[0] as tf.Tensor),
      gradFunc: () => {
        throw new Error('no gradient here');
      },
    }));
    const model = (input: tf.Tensor4D) => failing(network.apply(input) as tf.Tensor2D) as tf.Tensor2D;
    (await explain(counted.model, x, { method: 'saliency' })).attribution.dispose(); // warm-up: pooled buffers
    const before = memory();
    for (const target of ['predicted', 2] as const) {
      await expect(gradientForTarget(adaptModel(model), x, target)).rejects.toThrow('no gradient here');
    }
    expect(memory()).toEqual(before);
  });
});
