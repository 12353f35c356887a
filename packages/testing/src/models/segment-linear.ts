// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { seededNormal } from '../seeded.js';

/** A model linear in segment means, with its exact coefficients (perturbation explainer tests). */
export interface SegmentLinearModel {
  /** The tfjs form: (x: [n, h, w, c]) => [n, classes]. */
  readonly model: (x: tf.Tensor4D) => tf.Tensor2D;
  /** The same function as a black box (plain JS, f64 accumulation). */
  readonly box: { predict(batch: Float32Array, shape: [number, number, number, number]): Promise<Float32Array> };
  /** coefficients[k * segments + s]: class k's weight on the mean of segment s (over pixels and channels). */
  readonly coefficients: Float32Array;
  readonly bias: Float32Array;
  /** Releases the weight tensor. */
  dispose(): void;
}

/**
 * f_k(x) = bias_k + sum_s coefficients[k, s] * mean(x over segment s, all channels): with hidden
 * segments filled by zeros, f is exactly linear in the on/off vector z with weights
 * coefficients[k, s] * mean_s(x), so LIME and KernelSHAP must recover those.
 */
export function segmentLinearModel(spec: {
  height: number;
  width: number;
  channels: number;
  classes: number;
  labels: Int32Array;
  seed?: number;
}): SegmentLinearModel {
  const { height, width, channels, classes, labels, seed = 11 } = spec;
  const segments = Math.max(...labels) + 1;
  const sizes = new Float64Array(segments);
  labels.forEach((l) => (sizes[l] = sizes[l]! + 1));
  const coefficients = seededNormal(classes * segments, seed);
  const bias = seededNormal(classes, seed + 1, 0.1);
  const features = height * width * channels;
  const kernel = new Float32Array(features * classes);
  for (let p = 0; p < height * width; p++)
    for (let c = 0; c < channels; c++)
      for (let k = 0; k < classes; k++)
        kernel[(p * channels + c) * classes + k] = coefficients[k * segments + labels[p]!]! / (sizes[labels[p]!]! * channels);
  const w = tf.tensor2d(kernel, [features, classes]);
  const b = tf.tensor1d(bias);
  return {
    model: (x) => tf.tidy(() => tf.add(tf.matMul(tf.reshape(x, [x.shape[0], features]), w), b)),
    box: {
      predict(batch, shape) {
        const out = new Float32Array(shape[0] * classes);
        for (let i = 0; i < shape[0]; i++)
          for (let k = 0; k < classes; k++) {
            let s = bias[k]!;
            for (let f = 0; f < features; f++) s += batch[i * features + f]! * kernel[f * classes + k]!;
            out[i * classes + k] = s;
          }
        return Promise.resolve(out);
      },
    },
    coefficients,
    bias,
    dispose: () => tf.dispose([w, b]),
  };
}
