// SPDX-License-Identifier: Apache-2.0
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';

/** A model function that counts its calls; {@link countedModel} builds it. */
export interface CountedModel {
  /** The model to explain: `network.apply`, counting each call. */
  readonly model: (input: tf.Tensor4D) => tf.Tensor2D;
  /** How many times `model` was called since it was built or last reset. */
  readonly calls: number;
  /** Sets `calls` back to 0. */
  reset(): void;
}

/**
 * Wraps `network` in a model function that counts its calls, for tests that pin how many model calls
 * a method makes on the GPU path.
 *
 * Such counts only mean something if the test's small inputs reach the GPU: tfjs runs ops on at most
 * 1,000 elements on the CPU unless WEBGPU_CPU_FORWARD is off (configureTfjs in core's
 * test/setup-tfjs.ts). So this asserts the flag is off, on the webgpu backend.
 */
export function countedModel(network: tf.LayersModel): CountedModel {
  expect(tf.env().getBool('WEBGPU_CPU_FORWARD'), 'WEBGPU_CPU_FORWARD must be off for small inputs to reach the GPU').toBe(false);
  let calls = 0;
  return {
    model: (input) => (calls++, network.apply(input) as tf.Tensor2D),
    get calls() {
      return calls;
    },
    reset: () => void (calls = 0),
  };
}
