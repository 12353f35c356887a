// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import {
  MNIST_CNN_ACCURACY,
  MNIST_CNN_TOPOLOGY,
  MNIST_CNN_WEIGHT_SPECS,
  MNIST_CNN_WEIGHTS_BASE64,
  MNIST_SAMPLE_LABELS,
  MNIST_SAMPLES_BASE64,
} from './mnist-cnn.generated.js';
import { decodeBase64, loadEmbeddedModel } from '../shared/embedded.js';

/** Class names of the MNIST CNN: the digits. */
export const MNIST_LABELS: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** Held-out accuracy measured by the training script. */
export const mnistCnnAccuracy = MNIST_CNN_ACCURACY;

/**
 * The shipped MNIST classifier: input [n, 28, 28, 1] grey pixels in [0, 1], output [n, 10] logits.
 * Layers conv1 -> pool1 -> conv2 -> pool2 -> conv3 (7x7, the natural CAM layer) -> gap -> logits.
 * Weights are embedded in the package; nothing is fetched. A new model each call (the caller disposes it).
 */
export async function loadMnistCnn(): Promise<tf.LayersModel> {
  return loadEmbeddedModel(MNIST_CNN_TOPOLOGY, MNIST_CNN_WEIGHT_SPECS, MNIST_CNN_WEIGHTS_BASE64);
}

/** The embedded held-out digits: images [n, 28, 28, 1] in [0, 1] (caller disposes) and their labels. */
export function mnistSamples(): { images: tf.Tensor4D; labels: number[] } {
  const bytes = decodeBase64(MNIST_SAMPLES_BASE64);
  const pixels = Float32Array.from(bytes, (v) => v / 255);
  return { images: tf.tensor4d(pixels, [MNIST_SAMPLE_LABELS.length, 28, 28, 1]), labels: [...MNIST_SAMPLE_LABELS] };
}
