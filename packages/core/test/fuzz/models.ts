// SPDX-License-Identifier: Apache-2.0
// Well-behaved and misbehaving models for the fuzz suite, by name (so a failing case prints
// which one it used). All 28 x 28 x 1 inputs, 10 classes.
import * as tf from '@tensorflow/tfjs';
import type { ModelInput } from '../../src/index.js';

export const SIZE = 28;
export const CLASSES = 10;

const zeros = (n: number, classes = CLASSES) => new Float32Array(n * classes);
/** Class scores a black box can compute on the host: the mean of image i, times (k + 1). */
function hostScores(batch: Float32Array, shape: number[], classes = CLASSES): Float32Array {
  const [n, h, w, c] = shape as [number, number, number, number];
  const out = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let p = 0; p < h * w * c; p++) sum += batch[i * h * w * c + p]!;
    for (let k = 0; k < classes; k++) out[i * classes + k] = (sum / (h * w * c)) * (k + 1) * (k % 2 ? -1 : 1);
  }
  return out;
}

/** Model kinds the fuzzer draws from; 'layers' is the real tfjs model. */
export const MODEL_KINDS = [
  'layers',
  'function',
  'function-wrong-shape',
  'function-nan',
  'function-async',
  'function-throws',
  'function-non-tensor',
  'black-box',
  'black-box-wrong-length',
  'black-box-nan',
  'black-box-rejects',
  'black-box-never',
  'black-box-throws-sync',
  'black-box-not-f32',
  'black-box-class-change',
  'black-box-bad-max-batch',
  'null',
  'number',
  'empty-object',
] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** The model of `kind`, around the real `layers` model where it needs one. */
export function makeModel(kind: ModelKind, layers: tf.LayersModel): unknown {
  const forward = (x: tf.Tensor4D) => layers.predict(x) as tf.Tensor2D;
  let calls = 0;
  switch (kind) {
    case 'layers':
      return layers;
    case 'function':
      return forward;
    case 'function-wrong-shape':
      return (x: tf.Tensor4D) => tf.mean(x, [1, 2]);
    case 'function-nan':
      return (x: tf.Tensor4D) => tf.mul(forward(x), Number.NaN);
    case 'function-async':
      return (x: tf.Tensor4D) => Promise.resolve(forward(x));
    case 'function-throws':
      return () => {
        throw new Error('model crashed');
      };
    case 'function-non-tensor':
      return () => [1, 2, 3];
    case 'black-box':
      return { predict: (b: Float32Array, s: number[]) => Promise.resolve(hostScores(b, s)) };
    case 'black-box-wrong-length':
      return { predict: (_: Float32Array, s: number[]) => Promise.resolve(zeros(s[0]!).subarray(1)) };
    case 'black-box-nan':
      return { predict: (_: Float32Array, s: number[]) => Promise.resolve(zeros(s[0]!).fill(Number.NaN)) };
    case 'black-box-rejects':
      return { predict: async () => Promise.reject(new Error('endpoint down')) };
    case 'black-box-never':
      return { predict: () => new Promise<Float32Array>(() => {}) };
    case 'black-box-throws-sync':
      return {
        predict: () => {
          throw new TypeError('bad request');
        },
      };
    case 'black-box-not-f32':
      return { predict: (_: Float32Array, s: number[]) => Promise.resolve(Array.from(zeros(s[0]!))) };
    case 'black-box-class-change':
      return { predict: (b: Float32Array, s: number[]) => Promise.resolve(hostScores(b, s, calls++ === 0 ? CLASSES : CLASSES + 1)) };
    case 'black-box-bad-max-batch':
      return { maxBatch: 2.5, predict: (b: Float32Array, s: number[]) => Promise.resolve(hostScores(b, s)) };
    case 'null':
      return null;
    case 'number':
      return 42;
    case 'empty-object':
      return {};
  }
}

export type { ModelInput };
