// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { randomUniform, uniformRef } from '@webxai/shaders';
import type { ExecutionPath } from '../api/types.js';
import { kernelToTensor, tfjsDevice } from './tfjs-webgpu.js';

/**
 * Values `offset ..` of the seeded uniform stream in [low, high) (default [0, 1)) as a tensor of
 * `shape` (the caller disposes it), the same numbers on both paths: drawn on the GPU by
 * `randomUniform` (no host work, no upload; a scaled value within one rounding of the reference's)
 * or on the CPU by its reference `uniformRef`.
 */
export async function uniformTensor(
  shape: [number, number, number, number],
  seed: number,
  offset: number,
  path: ExecutionPath,
  [low, high]: readonly [number, number] = [0, 1],
): Promise<tf.Tensor4D> {
  const count = tf.util.sizeFromShape(shape);
  if (path === 'gpu') return kernelToTensor(shape, (output) => randomUniform(tfjsDevice(), { seed, offset, count, output, low, high }));
  return tf.tensor4d(uniformRef(seed, offset, count, low, high), shape);
}
