// SPDX-License-Identifier: Apache-2.0
// Shared by the direct convolution wrappers' tests (direct-conv-kernels, direct-depthwise-kernels):
// a convolution case and running an op on seeded tensors of its shapes on one tfjs backend.
import * as tf from '@tensorflow/tfjs';
import { seededF32 } from '@webxai/testing';

export type Shape = [number, number, number, number];
export type Padding = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

/** One convolution: input and filter shapes, strides and padding. */
export interface ConvCase {
  readonly name: string;
  readonly x: Shape;
  readonly w: Shape;
  readonly strides: [number, number];
  readonly pad: Padding;
}

export const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Runs `work` on `backend` with the seeded tensors of `c` (x seed 1, w seed 2), returns its values. */
export async function valuesOn(
  backend: 'cpu' | 'webgpu',
  c: ConvCase,
  work: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor,
): Promise<Float32Array> {
  await tf.setBackend(backend);
  const x = tf.tensor4d(seededF32(size(c.x), 1), c.x);
  const w = tf.tensor4d(seededF32(size(c.w), 2), c.w);
  const out = work(x, w);
  const values = (await out.data()) as Float32Array;
  tf.dispose([x, w, out]);
  return values;
}
