// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { seededNormal } from '../seeded.js';

/** He-normal kernel values for `shape` (fan-in = all but the last dim) and small biases, seeded. */
export function seededKernel(shape: readonly number[], seed: number): tf.Tensor {
  return tf.tensor(seededKernelValues(shape, seed), [...shape]);
}

/** The values of {@link seededKernel}, row-major. */
export function seededKernelValues(shape: readonly number[], seed: number): Float32Array<ArrayBuffer> {
  const fanIn = shape.slice(0, -1).reduce((a, b) => a * b, 1);
  const size = shape.reduce((a, b) => a * b, 1);
  return seededNormal(size, seed, Math.sqrt(2 / fanIn));
}

export function seededBias(units: number, seed: number): tf.Tensor {
  return tf.tensor1d(seededBiasValues(units, seed));
}

export function seededBiasValues(units: number, seed: number): Float32Array<ArrayBuffer> {
  return seededNormal(units, seed, 0.05);
}
