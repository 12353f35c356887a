// SPDX-License-Identifier: Apache-2.0
// Batches of forward passes fit the model's largest activation, not only its input, into the device's
// storage bindings: with the input-sized default batch (64 images here), a model whose 1x1
// convolution makes 4 MB an image failed WebGPU validation in every forward-pass method and metric
// (MobileNetV2-224 did the same at its 112x112x96 activation; session 36).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { liveBufferCount, ModelError } from '@webxai/shaders';
import { disposeWeights, tinyCnn, tinyCnnGraphModel, tinyCnnWeights } from '@webxai/testing/models';
import { flushTfjs, tfjsDevice, tfjsUsedBufferCount } from '../interop/tfjs-webgpu.js';
import { adaptModel } from './adapt.js';
import { largestActivationBytes } from './activation-bytes.js';
import { explain } from '../api/explain.js';
import { evaluate } from '../metrics/evaluate.js';

const memory = () => (flushTfjs(), [tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(tfjsDevice())]);

const SIDE = 32;
const FILTERS = 1024;
/** Bytes per image of the widest layer: SIDE x SIDE x FILTERS f32 values (4 MB). */
const WIDE = 4 * SIDE * SIDE * FILTERS;

/** A classifier whose 1x1 convolution makes WIDE bytes an image, from a 32x32x3 input of 12 KB. */
function wideModel(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [SIDE, SIDE, 3],
        filters: FILTERS,
        kernelSize: 1,
        kernelInitializer: tf.initializers.randomNormal({ seed: 1 }),
      }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 4, kernelInitializer: tf.initializers.randomNormal({ seed: 2 }) }),
    ],
  });
}

describe('batches fit the largest activation (webgpu)', () => {
  let model: tf.LayersModel;
  let x: tf.Tensor4D;
  beforeAll(async () => {
    await tf.setBackend('webgpu');
    model = wideModel();
    x = tf.randomUniform<tf.Rank.R4>([1, SIDE, SIDE, 3], 0, 1, 'float32', 3);
    tf.dispose(model.predict(x)); // the weights' first upload, outside the leak checks
  });
  afterAll(() => {
    x.dispose();
    model.dispose();
  });

  it('the default batch (64 images) would not fit one binding: the case is real', () => {
    expect(64 * WIDE).toBeGreaterThan(tfjsDevice().limits.maxStorageBufferBindingSize);
  });

  it("a LayersModel's from its layers' shapes; a GraphModel's from one probed image: the same; a function's and a black box's not", async () => {
    expect(await largestActivationBytes(adaptModel(model), [SIDE, SIDE, 3])).toBe(WIDE);
    const weights = tinyCnnWeights({ height: 16, width: 16, channels: 3, filters: 64, classes: 3, seed: 5 });
    try {
      const layers = tinyCnn('sequential', weights);
      const graph = await tinyCnnGraphModel(weights);
      const fromLayers = await largestActivationBytes(adaptModel(layers), [16, 16, 3]);
      expect(fromLayers).toBeGreaterThan(4 * 16 * 16 * 3); // the 64-filter convolution's output
      // Outside the leak check: tfjs keeps a buffer for kernel timings from its first tf.profile on, and
      // the graph's weights go to the GPU at its first run.
      const other = await tinyCnnGraphModel(weights);
      await largestActivationBytes(adaptModel(other), [16, 16, 3]);
      other.dispose();
      tf.tidy(() => graph.predict(tf.zeros([1, 16, 16, 3])));
      const before = memory();
      expect(await largestActivationBytes(adaptModel(graph), [16, 16, 3])).toBe(fromLayers);
      expect(memory()).toEqual(before);
      layers.dispose();
      graph.dispose();
    } finally {
      disposeWeights(weights);
    }
    // A model function is the user's code, not called to measure it; a black box is not on tfjs's device.
    let calls = 0;
    const asFunction = (input: tf.Tensor4D) => (calls++, model.apply(input) as tf.Tensor2D);
    expect(await largestActivationBytes(adaptModel(asFunction), [SIDE, SIDE, 3])).toBe(4 * SIDE * SIDE * 3);
    expect(calls).toBe(0);
    expect(await largestActivationBytes(adaptModel({ predict: () => Promise.resolve(new Float32Array(4)) }), [SIDE, SIDE, 3])).toBe(0);
  });

  it('a model function whose batch outgrows a binding: a ModelError naming batchSize; with a smaller one it runs', async () => {
    const asFunction = (input: tf.Tensor4D) => model.apply(input) as tf.Tensor2D;
    const failure = explain(asFunction, x, { method: 'rise', masks: 80, seed: 1 });
    await expect(failure).rejects.toThrow(ModelError);
    await expect(failure).rejects.toThrow(/pass a smaller batchSize/);
    const ok = await explain(asFunction, x, { method: 'rise', masks: 80, seed: 1, batchSize: 16 });
    expect(Array.from(await ok.attribution.data()).every(Number.isFinite)).toBe(true);
    ok.attribution.dispose();
  });

  it('RISE, occlusion, LIME and deletion with default batches run where they failed validation', async () => {
    const all = async () => {
      const rise = await explain(model, x, { method: 'rise', masks: 80, seed: 1 });
      const occlusion = await explain(model, x, { method: 'occlusion', window: [4, 4], stride: [4, 4] });
      const lime = await explain(model, x, { method: 'lime', samples: 80, seed: 1 });
      const deletion = await evaluate(model, x, rise.attribution, { metric: 'deletion', steps: 40 });
      const maps = await Promise.all([rise, occlusion, lime].map((r) => r.attribution.data()));
      tf.dispose([rise.attribution, occlusion.attribution, lime.attribution, lime.segments]);
      return { maps, deletion: deletion.scores[0]! };
    };
    await all(); // first calls: pipelines and kept buffers, outside the leak check
    const before = memory();
    const { maps, deletion } = await all();
    for (const map of maps) expect(Array.from(map).every(Number.isFinite) && map.some((v) => v !== 0)).toBe(true);
    expect(Number.isFinite(deletion)).toBe(true);
    expect(memory()).toEqual(before);
  });
});
