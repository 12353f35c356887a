// SPDX-License-Identifier: Apache-2.0
// Shared by the tests of the fused relu layers / graph nodes (src/model): run a computation with
// WEBXAI_FUSED_RELU_LAYERS on or off and report its result's bits and the kernels tfjs ran.
import { vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { FUSED_RELU_LAYERS_FLAG } from '../src/model/fused-relu-layers.js';

/** The float32 bits of `t`, as numbers (toEqual then compares bit patterns, NaN payloads and -0 included). */
export const bits = async (t: tf.Tensor) => Array.from(new Uint32Array(((await t.data()) as Float32Array).slice().buffer));

/** How many times `name` is in `kernels`. */
export const count = (kernels: string[], name: string) => kernels.filter((k) => k === name).length;

/** The bits of the tensor `compute` returns (then disposed), with the fusion on or off, and the kernels it ran. */
export async function withFusion(fused: boolean, compute: () => Promise<tf.Tensor> | tf.Tensor) {
  const flag = tf.env().getBool(FUSED_RELU_LAYERS_FLAG);
  tf.env().set(FUSED_RELU_LAYERS_FLAG, fused);
  const runKernel = vi.spyOn(tf.engine(), 'runKernel');
  try {
    const result = await compute();
    const kernels = runKernel.mock.calls.map(([name]) => name);
    const values = await bits(result);
    result.dispose();
    return { values, kernels };
  } finally {
    runKernel.mockRestore();
    tf.env().set(FUSED_RELU_LAYERS_FLAG, flag);
  }
}
