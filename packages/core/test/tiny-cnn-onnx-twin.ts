// SPDX-License-Identifier: Apache-2.0
// The tiny CNN twice, for tests that compare a black box with the same model in tfjs: the tfjs
// LayersModel (on webgpu) and an ONNX Runtime session of the same weights (fixtures/tiny-cnn-nchw.onnx).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { disposeWeights, tinyCnn, tinyCnnWeights, type TinyCnnWeights } from '@webxai/testing/models';

const fixture = readFileSync(new URL('../../testing/fixtures/tiny-cnn-nchw.onnx', import.meta.url));

/** The twin's two models, set in the enclosing describe's beforeAll. */
export interface TinyCnnOnnxTwin {
  readonly model: tf.LayersModel;
  readonly session: ort.InferenceSession;
}

/**
 * Creates the twin in the enclosing describe's beforeAll (webgpu backend) and releases it in its
 * afterAll; read its fields inside the tests.
 */
export function useTinyCnnOnnxTwin(): TinyCnnOnnxTwin {
  let weights: TinyCnnWeights | undefined;
  const twin = {} as { model: tf.LayersModel; session: ort.InferenceSession };
  beforeAll(async () => {
    await tf.setBackend('webgpu');
    weights = tinyCnnWeights();
    twin.model = tinyCnn('sequential', weights);
    twin.session = await ort.InferenceSession.create(fixture);
  });
  afterAll(async () => {
    twin.model.dispose();
    if (weights) disposeWeights(weights);
    await twin.session.release();
  });
  return twin;
}
