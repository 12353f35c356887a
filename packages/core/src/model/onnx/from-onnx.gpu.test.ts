// SPDX-License-Identifier: Apache-2.0
// ONNX Runtime (onnxruntime-node, CPU EP) and tfjs run the same tiny CNN (same seeded weights):
// the committed fixture is what the builder makes, scores agree, and so do explanations.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { disposeWeights, tinyCnn, tinyCnnOnnx, tinyCnnWeights, type TinyCnnWeights } from '@webxai/testing/models';
import { InvalidOptionError, ModelError, UnsupportedModelError } from '@webxai/shaders';
import { createExplainerFor } from '../../api/explainer.js';
import { lime } from '../../perturbation/lime/lime.js';
import { occlusion } from '../../perturbation/occlusion/occlusion.js';
import { kernelShap } from '../../perturbation/kernel-shap/kernel-shap.js';
import { DEFAULT_RUN_INPUT_BYTES, defaultMaxBatch, fromOnnx, nhwcToNchw, type OnnxSessionLike } from './from-onnx.js';

const fixture = (layout: 'nchw' | 'nhwc') => readFileSync(new URL(`../../../../testing/fixtures/tiny-cnn-${layout}.onnx`, import.meta.url));

describe('fromOnnx', () => {
  let weights: TinyCnnWeights;
  let sessions: Record<'nchw' | 'nhwc', ort.InferenceSession>;
  beforeAll(async () => {
    await tf.setBackend('webgpu');
    weights = tinyCnnWeights();
    sessions = {
      nchw: await ort.InferenceSession.create(fixture('nchw')),
      nhwc: await ort.InferenceSession.create(fixture('nhwc')),
    };
  });
  afterAll(async () => {
    disposeWeights(weights);
    await sessions.nchw.release();
    await sessions.nhwc.release();
  });

  it('the committed fixtures are exactly what tinyCnnOnnx builds (reproducible)', () => {
    for (const layout of ['nchw', 'nhwc'] as const) expect(Buffer.from(tinyCnnOnnx({}, layout)).equals(fixture(layout))).toBe(true);
  });

  it('transposes NHWC to NCHW', () => {
    const src = Float32Array.from({ length: 2 * 3 * 2 }, (_, i) => i); // n=2, 3 pixels, 2 channels
    expect(Array.from(nhwcToNchw(src, 2, 3, 2))).toEqual([0, 2, 4, 1, 3, 5, 6, 8, 10, 7, 9, 11]);
  });

  it('gives the scores of the tfjs model, in both layouts, with and without ort.Tensor, and leaves its input as it was', async () => {
    const model = tinyCnn('sequential', weights);
    const x = tf.randomUniform<tf.Rank.R4>([5, 16, 16, 3], 0, 1, 'float32', 4);
    const want = await (model.predict(x) as tf.Tensor).data();
    const batch = (await x.data()) as Float32Array;
    const original = Float32Array.from(batch);
    for (const [layout, Tensor] of [
      ['nchw', ort.Tensor],
      ['nhwc', undefined],
      ['nchw', undefined],
    ] as const) {
      const m = fromOnnx(sessions[layout], { layout, ...(Tensor ? { Tensor } : {}) });
      expect(await m.predict(batch, [5, 16, 16, 3])).toBeAllClose(want, { abs: 1e-5, rel: 1e-4 });
      // What readsInputOnly declares (webxai then keeps host batches between calls): the batch is unchanged.
      expect(m.readsInputOnly).toBe(true);
      const planar = nhwcToNchw(batch, 5, 16 * 16, 3);
      if (m.predictNchw) await m.predictNchw(planar, [5, 16, 16, 3]);
      expect(Array.from(planar)).toEqual(Array.from(nhwcToNchw(original, 5, 16 * 16, 3)));
      expect(Array.from(batch)).toEqual(Array.from(original));
    }
    x.dispose();
  });

  it('both runtimes give the same explanation (occlusion, LIME, KernelSHAP)', async () => {
    const model = tinyCnn('sequential', weights);
    const onnxModel = fromOnnx(sessions.nchw, { layout: 'nchw', Tensor: ort.Tensor });
    const x = tf.randomUniform([16, 16, 3], 0, 1, 'float32', 7);
    const cases = [
      { method: 'occlusion', window: 4, stride: 2, target: 1 },
      { method: 'lime', samples: 300, seed: 3, segmentation: { method: 'slic', segments: 16 }, target: 2 },
      { method: 'kernel-shap', samples: 200, seed: 3, segmentation: { method: 'slic', segments: 16 }, target: 0 },
    ] as const;
    for (const options of cases) {
      const definition = { occlusion, lime, 'kernel-shap': kernelShap }[options.method];
      const a = await createExplainerFor(definition as typeof occlusion, model, options as never).explain(x);
      const b = await createExplainerFor(definition as typeof occlusion, onnxModel, options as never).explain(x);
      const scale = Math.max(...(await tf.abs(a.attribution).max().data()));
      expect(await b.attribution.data()).toBeAllClose(await a.attribution.data(), { abs: 1e-3 * scale + 1e-5, rel: 1e-3 });
      tf.dispose([
        a.attribution,
        b.attribution,
        ...Object.values(a).filter((v) => v instanceof tf.Tensor),
        ...Object.values(b).filter((v) => v instanceof tf.Tensor),
      ] as tf.Tensor[]);
    }
    x.dispose();
  });

  it('onnxruntime-web (wasm backend, here in Node) gives the same scores and the same LIME explanation', async () => {
    ortWeb.env.wasm.numThreads = 1;
    const web = await ortWeb.InferenceSession.create(tinyCnnOnnx({}, 'nchw'), { executionProviders: ['wasm'] });
    const model = tinyCnn('sequential', weights);
    const x = tf.randomUniform([16, 16, 3], 0, 1, 'float32', 9);
    const options = { method: 'lime', samples: 200, seed: 4, segmentation: { method: 'slic', segments: 12 }, target: 3 } as const;
    const a = await createExplainerFor(lime, model, options).explain(x);
    const b = await createExplainerFor(lime, fromOnnx(web, { layout: 'nchw', Tensor: ortWeb.Tensor }), options).explain(x);
    expect(b.segmentWeights[0]).toBeAllClose(a.segmentWeights[0]!, { abs: 1e-4, rel: 1e-3 });
    tf.dispose([x, a.attribution, a.segments, b.attribution, b.segments]);
    await web.release();
  });

  it('limits a run to DEFAULT_RUN_INPUT_BYTES of input when the session declares its image size; maxBatch overrides', async () => {
    expect(defaultMaxBatch(['batch', 3, 224, 224])).toBe(4);
    expect(defaultMaxBatch(['N', 1, 28, 28])).toBe(768);
    expect(defaultMaxBatch([1, 3, 2048, 2048])).toBe(1); // larger than the budget: one image per run
    expect(defaultMaxBatch(['batch', 3, 'height', 'width'])).toBeUndefined();
    expect(defaultMaxBatch(['batch'])).toBeUndefined();
    expect(defaultMaxBatch([])).toBeUndefined();
    expect(defaultMaxBatch(undefined)).toBeUndefined();
    // The fixtures declare ['batch', 3, 16, 16] / ['batch', 16, 16, 3]; onnxruntime-web reports it too.
    const perRun = Math.floor(DEFAULT_RUN_INPUT_BYTES / (16 * 16 * 3 * 4));
    expect(fromOnnx(sessions.nchw).maxBatch).toBe(perRun);
    expect(fromOnnx(sessions.nhwc, { layout: 'nhwc' }).maxBatch).toBe(perRun);
    const web = await ortWeb.InferenceSession.create(tinyCnnOnnx({}, 'nchw'), { executionProviders: ['wasm'] });
    expect(fromOnnx(web).maxBatch).toBe(perRun);
    await web.release();
    expect(fromOnnx(sessions.nchw, { maxBatch: 3 }).maxBatch).toBe(3);
    // A runtime without inputMetadata (before 1.21): no limit, as before.
    const bare: OnnxSessionLike = {
      inputNames: sessions.nchw.inputNames,
      outputNames: sessions.nchw.outputNames,
      run: (feeds) => sessions.nchw.run(feeds as never),
    };
    expect(fromOnnx(bare).maxBatch).toBeUndefined();
  });

  it('rejects what is not a session and reports runtime errors as ModelError', async () => {
    expect(() => fromOnnx({} as never)).toThrow(UnsupportedModelError);
    expect(() => fromOnnx(sessions.nchw, { layout: 'nwhc' as never })).toThrow(InvalidOptionError);
    expect(() => fromOnnx(sessions.nchw, { outputName: 'probs' })).toThrow(/outputName 'probs' is not an output/);
    // An NHWC batch fed to the NCHW model as if it were NHWC: ORT rejects the dims.
    const wrong = fromOnnx(sessions.nchw, { layout: 'nhwc' });
    const x = tf.randomUniform([16, 16, 3], 0, 1, 'float32', 1);
    await expect(createExplainerFor(occlusion, wrong, { method: 'occlusion', window: 8 }).explain(x)).rejects.toThrow(ModelError);
    x.dispose();
  });
});
