// SPDX-License-Identifier: Apache-2.0
import type * as tf from '@tensorflow/tfjs';
import { InvalidOptionError } from '@webxai/shaders';
import type { ExecutionPath } from '../../api/types.js';

/** The input blurred with a Gaussian of `sigma` pixels (zero padding, as scipy's mode 'constant'). */
export async function blurBaseline(_input: tf.Tensor4D, _sigma: number, _path: ExecutionPath): Promise<tf.Tensor4D> {
  throw new InvalidOptionError("baseline 'blur' is not available yet");
}

/** Uniform noise in each image's [min, max], seeded. */
export async function uniformNoiseBaseline(_input: tf.Tensor4D, _seed: number, _path: ExecutionPath): Promise<tf.Tensor4D> {
  throw new InvalidOptionError("baseline 'uniform-noise' is not available yet");
}
