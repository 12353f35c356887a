// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { randomUniform, uniformRef } from '@webxai/shaders';
import type { ExecutionPath } from '../api/types.js';
import { kernelToTensor, tfjsDevice } from './tfjs-webgpu.js';

/**
 * Values `offset ..` of the seeded uniform stream in [0, 1) as a tensor of `shape` (the caller
 * disposes it), the same bits on both paths: drawn on the GPU by `randomUniform` (no host work, no
 * upload) or on the CPU by its reference `uniformRef`.
 */
export async function uniformTensor(
  shape: [number, number, number, number],
  seed: number,
  offset: number,
  path: ExecutionPath,
): Promise<tf.Tensor4D> {
  const count = shape.reduce((a, b) => a * b, 1);
  if (path === 'gpu') return kernelToTensor(shape, (output) => randomUniform(tfjsDevice(), { seed, offset, count, output }));
  return tf.tensor4d(uniformRef(seed, offset, count), shape);
}
