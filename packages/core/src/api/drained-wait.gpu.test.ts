// SPDX-License-Identifier: Apache-2.0
// explain() waits for the GPU queue before it returns (timeMs covers the GPU work), except after a
// method whose last readback already waited for all its work (CallContext.markDrained) and when
// tfjs has submitted nothing since: that wait is a round trip of its own on Chromium.
// A small single-image result rides along in the readback its explanation makes anyway (CAM map
// peaks, saliency's checks) and is kept as the tensor's host copy: reading it costs the caller no
// GPU round trip (1-3 ms on Chromium's SwiftShader), and its values are the GPU buffer's, bit for bit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { ShapeMismatchError } from '@webxai/shaders';
import { disposeWeights, tinyCnn, tinyCnnWeights, type TinyCnnWeights } from '@webxai/testing/models';
import { createExplainer } from './explain.js';
import { disposeResult } from './dispose-result.js';
import { countQueueWaits, countReadbacks } from '@webxai/testing';
import { HOST_COPY_LIMIT, keepHostCopy, tfjsSubmitMark, tfjsSubmittedNothingSince, tfjsUsedBufferCount } from '../interop/tfjs-webgpu.js';

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

describe('the explainer skips its queue wait after a drained method (webgpu)', () => {
  /** onSubmittedWorkDone calls during one explanation, and its time. */
  async function waits(options: Record<string, unknown>): Promise<{ waits: number; timeMs: number }> {
    const explainer = createExplainer(model, options as never);
    disposeResult(await explainer.explain(x)); // compile and warm
    try {
      const { result: r, waits: n } = await countQueueWaits(() => explainer.explain(x));
      const timeMs = (r as { timeMs: number }).timeMs;
      disposeResult(r);
      return { waits: n, timeMs };
    } finally {
      explainer.dispose();
    }
  }

  it('saliency, gradient x input, guided backprop, deconvnet, a one-layer Grad-CAM, guided Grad-CAM, IG and Blur IG (given class) read last: no wait; timeMs still counts', async () => {
    // Guided Grad-CAM records both passes and the product before its one readback (Grad-CAM's peaks');
    // IG reads its end points' scores and the attribution's sums after the path.
    const methods = ['saliency', 'gradient-x-input', 'guided-backprop', 'deconvnet', 'grad-cam', 'guided-grad-cam', 'integrated-gradients'];
    for (const method of methods) {
      for (const target of [undefined, 2]) {
        const { waits: n, timeMs } = await waits({ method, target });
        expect(n, `${method} target ${target}`).toBe(0);
        expect(timeMs).toBeGreaterThan(0);
      }
    }
    // Blur IG for a given class reads its checks (and a small attribution) after the whole path.
    expect((await waits({ method: 'blur-ig', steps: 4, target: 2 })).waits).toBe(0);
  });

  it('waits when the method records work after its last readback (relu: false, augSmooth) or marks nothing', async () => {
    expect((await waits({ method: 'grad-cam', relu: false })).waits).toBe(1);
    expect((await waits({ method: 'grad-cam', augSmooth: true })).waits).toBe(1);
    // SmoothGrad's classes are read before its samples' passes run; so are Blur IG's for 'predicted'.
    expect((await waits({ method: 'smoothgrad', samples: 4 })).waits).toBe(1);
    expect((await waits({ method: 'blur-ig', steps: 4 })).waits).toBe(1);
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

/** mapAsync calls while `read` runs. */
async function readbacks(read: () => Promise<unknown>): Promise<number> {
  return (await countReadbacks(read)).readbacks;
}

/** `t`'s values read from its GPU buffer (a copy by x * 1 keeps every bit, -0 included). */
async function gpuValues(t: tf.Tensor): Promise<Float32Array> {
  const copy = tf.mul(t, 1);
  try {
    return (await copy.data()) as Float32Array;
  } finally {
    copy.dispose();
  }
}

describe('small results come back with their explanation (webgpu)', () => {
  /** Readbacks of one explain, and of reading its attribution after; its values vs the GPU buffer's. */
  async function explainThenRead(options: Record<string, unknown>, input = x, explained = model) {
    const explainer = createExplainer(explained, options as never);
    try {
      disposeResult(await explainer.explain(input)); // compile and warm
      const before = { tensors: tf.memory().numTensors, buffers: tfjsUsedBufferCount() };
      let r: Awaited<ReturnType<typeof explainer.explain>> | undefined;
      const during = await readbacks(async () => (r = await explainer.explain(input)));
      const attribution = (r as unknown as { attribution: tf.Tensor }).attribution;
      let host: Float32Array | undefined;
      const after = await readbacks(async () => (host = (await attribution.data()) as Float32Array));
      const exact = (await gpuValues(attribution)).every((v, i) => Object.is(v, host![i]));
      disposeResult(r!);
      expect({ tensors: tf.memory().numTensors, buffers: tfjsUsedBufferCount() }).toEqual(before);
      return { during, after, exact };
    } finally {
      explainer.dispose();
    }
  }

  it('saliency, gradient x input, guided backprop, deconvnet and the one-layer CAMs: one readback, none to read the result, same bits', async () => {
    for (const method of ['saliency', 'gradient-x-input', 'guided-backprop', 'deconvnet', 'grad-cam', 'grad-cam++', 'ablation-cam']) {
      for (const target of [undefined, 2]) {
        const { during, after, exact } = await explainThenRead({ method, target });
        expect({ method, target, during, after, exact }).toEqual({ method, target, during: 1, after: 0, exact: true });
      }
    }
  });

  it("Eigen-CAM: its result comes back with its peaks' readback (a 'predicted' target too: it rides there)", async () => {
    expect(await explainThenRead({ method: 'eigen-cam', target: 2 })).toEqual({ during: 1, after: 0, exact: true });
    expect(await explainThenRead({ method: 'eigen-cam' })).toEqual({ during: 1, after: 0, exact: true });
  });

  it('leaves averaged, de-augmented and large results on the GPU (read when asked)', async () => {
    expect((await explainThenRead({ method: 'grad-cam', layer: ['conv1', 'conv2'] })).after).toBe(1);
    expect((await explainThenRead({ method: 'grad-cam', augSmooth: true })).after).toBe(1);
    // 40x40x3 = 4800 values: a saliency map past the limit.
    const bigWeights = tinyCnnWeights({ height: 40, width: 40, channels: 3, classes: 5, seed: 43 });
    const bigModel = tinyCnn('sequential', bigWeights);
    const big = tf.randomUniform<tf.Rank.R4>([1, 40, 40, 3], 0, 1, 'float32', 44);
    expect(big.size).toBeGreaterThan(HOST_COPY_LIMIT);
    const large = await explainThenRead({ method: 'saliency', target: 1 }, big, bigModel);
    big.dispose();
    disposeWeights(bigWeights);
    expect(large).toEqual({ during: 1, after: 1, exact: true });
  });

  it('keepHostCopy takes exactly the tensor size, float32', () => {
    const floats = tf.zeros([2, 3]);
    const ints = tf.zeros([6], 'int32');
    expect(() => keepHostCopy(floats, new Float32Array(5))).toThrow(ShapeMismatchError);
    expect(() => keepHostCopy(ints, new Float32Array(6))).toThrow(/int32/);
    tf.dispose([floats, ints]);
  });
});
