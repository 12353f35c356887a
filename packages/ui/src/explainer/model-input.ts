// SPDX-License-Identifier: Apache-2.0
// What <xai-explainer> does to an image before explaining it, as pure functions: the model's input
// tensor and the picture the heatmap shows, and the model's top-k classes.
import * as tf from '@tensorflow/tfjs';
import type { ModelAdapter } from '@webxai/core';
import { ModelError, XaiError } from '@webxai/shaders';
import type { ImagePixels } from '../shared/inputs.js';

/** One of the top-k predicted classes. */
export interface Prediction {
  readonly index: number;
  /** The class label (plain text), or `class <index>`. */
  readonly label: string;
  /** Probability (softmax of the scores unless they already are probabilities). */
  readonly probability: number;
}

/**
 * The model's input for an RGBA picture: RGB in [0, 1] times `pixelScale`, resized (bilinear, half
 * pixel centres) to the model's declared height and width, averaged to one channel when the model
 * takes one; and `display`, the picture at model resolution before the channel and scale changes.
 * The caller disposes `input`.
 */
export async function imageToInput(
  pixels: Pick<ImagePixels, 'width' | 'height' | 'pixels'>,
  inputShape: ModelAdapter['inputShape'],
  pixelScale: number,
): Promise<{ input: tf.Tensor3D; display: ImageData }> {
  const [wantH, wantW, wantC] = inputShape ?? [null, null, null];
  const bytes = new Uint8Array(pixels.pixels.buffer, pixels.pixels.byteOffset, pixels.pixels.byteLength);
  const rgb = tf.tidy(() => {
    const rgba = tf.tensor3d(bytes, [pixels.height, pixels.width, 4], 'int32');
    let unit: tf.Tensor3D = tf.slice(rgba, [0, 0, 0], [pixels.height, pixels.width, 3]).toFloat().div<tf.Tensor3D>(255);
    if ((wantH !== null && wantH !== pixels.height) || (wantW !== null && wantW !== pixels.width)) {
      unit = tf.image.resizeBilinear(unit, [wantH ?? pixels.height, wantW ?? pixels.width], true);
    }
    return unit;
  });
  try {
    const display = toImageData(rgb.shape[0], rgb.shape[1], await rgb.data());
    const input = tf.tidy(() => {
      const x = wantC === 1 ? rgb.mean(2, true) : rgb;
      return (pixelScale === 1 ? x.clone() : x.mul(pixelScale)) as tf.Tensor3D;
    });
    return { input, display };
  } finally {
    rgb.dispose();
  }
}

/** Opaque RGBA bytes of an [h, w, 3] picture with values in [0, 1]. */
function toImageData(h: number, w: number, rgb: ArrayLike<number>): ImageData {
  const display = new ImageData(w, h);
  for (let p = 0; p < h * w; p++) {
    display.data[4 * p] = Math.round(rgb[3 * p]! * 255);
    display.data[4 * p + 1] = Math.round(rgb[3 * p + 1]! * 255);
    display.data[4 * p + 2] = Math.round(rgb[3 * p + 2]! * 255);
    display.data[4 * p + 3] = 255;
  }
  return display;
}

/**
 * The model's `topK` most probable classes for one image, most probable first (ties: lower index).
 * Scores that already are probabilities (in [0, 1], summing to 1) are used as given, others go
 * through a softmax.
 * @throws {ModelError} the model failed to predict.
 */
export async function topPredictions(
  adapter: ModelAdapter,
  input: tf.Tensor3D,
  labels: readonly string[],
  topK: number,
  signal: AbortSignal,
): Promise<Prediction[]> {
  const batch = input.expandDims<tf.Tensor4D>(0);
  let scores: tf.Tensor2D;
  try {
    scores = await adapter.predict(batch, signal);
  } catch (cause) {
    if (cause instanceof XaiError) throw cause;
    throw new ModelError(`the model failed to predict: ${(cause as Error)?.message ?? cause}`, { cause });
  } finally {
    batch.dispose();
  }
  const values = Array.from(await scores.data());
  scores.dispose();
  const isProbability = values.every((v) => v >= 0 && v <= 1) && Math.abs(values.reduce((a, b) => a + b, 0) - 1) < 1e-3;
  const max = Math.max(...values);
  const exps = values.map((v) => Math.exp(v - max));
  const total = exps.reduce((a, b) => a + b, 0);
  const probabilities = isProbability ? values : exps.map((e) => e / total);
  return probabilities
    .map((probability, index) => ({ index, probability, label: labels[index] ?? `class ${index}` }))
    .sort((a, b) => b.probability - a.probability || a.index - b.index)
    .slice(0, Math.max(1, topK));
}
