// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { InvalidInputError, ShapeMismatchError } from '@webxai/shaders';
import type { ModelAdapter } from '../model/types.js';
import { onStaleBackend } from '../interop/device-loss.js';
import { checkFiniteOnHost, InputCheck } from './input-check.js';

/**
 * Checks an image input and returns it as a 4-D NHWC batch (a new tensor the caller disposes;
 * a 3-D input gets a batch axis). Checks rank, dtype, the model's spatial size and channels where
 * known, and that every value is finite (one tiny readback).
 *
 * @throws {ShapeMismatchError} wrong rank, dtype, size or channel count.
 * @throws {InvalidInputError} NaN or Inf in the input.
 */
export async function toInputBatch(input: tf.Tensor, model: Pick<ModelAdapter, 'inputShape'>): Promise<tf.Tensor4D> {
  const batch = toUncheckedBatch(input, model);
  const check = new InputCheck(batch);
  try {
    await check.settle();
  } catch (error) {
    batch.dispose();
    throw error;
  }
  return batch;
}

/**
 * {@link toInputBatch} for a caller that needs the values on the host anyway (a black box's
 * perturbed batches are written there): the batch and its NHWC values, read back once and checked
 * for NaN / Inf on the host, instead of a check kernel's readback followed by the values' own.
 * `values` is tfjs's copy of the tensor's data (kept with it, so a later read is free): read it only.
 *
 * @throws {ShapeMismatchError} as toInputBatch.
 * @throws {InvalidInputError} NaN or Inf in the input.
 */
export async function toHostInputBatch(
  input: tf.Tensor,
  model: Pick<ModelAdapter, 'inputShape'>,
): Promise<{ batch: tf.Tensor4D; values: Float32Array }> {
  const batch = toUncheckedBatch(input, model);
  try {
    const values = (await batch.data()) as Float32Array;
    checkFiniteOnHost(values);
    return { batch, values };
  } catch (error) {
    batch.dispose();
    throw error;
  }
}

/**
 * {@link toInputBatch} without the finiteness check (no readback): the caller checks the values with
 * an {@link InputCheck}, typically in the same readback as its own first one.
 *
 * @throws {ShapeMismatchError} wrong rank, dtype, size or channel count.
 * @throws {InvalidInputError} the input lives on a removed backend.
 */
export function toUncheckedBatch(input: tf.Tensor, model: Pick<ModelAdapter, 'inputShape'>): tf.Tensor4D {
  if (!(input instanceof tf.Tensor) || input.isDisposed) {
    throw new ShapeMismatchError('input must be a live tf.Tensor of shape [height, width, channels] or [batch, height, width, channels]');
  }
  if (onStaleBackend(input)) {
    throw new InvalidInputError('input lives on a tfjs backend that was removed (its GPU device was lost): re-create it');
  }
  if (input.rank !== 3 && input.rank !== 4) {
    throw new ShapeMismatchError(`input must have rank 3 [h, w, c] or 4 [n, h, w, c], got rank ${input.rank} with shape [${input.shape}]`);
  }
  if (input.dtype !== 'float32') {
    throw new ShapeMismatchError(`input must be float32, got ${input.dtype} (cast with tf.cast(x, 'float32'))`);
  }
  const shape = input.rank === 3 ? [1, ...input.shape] : input.shape;
  if (shape.some((d) => d === 0)) throw new ShapeMismatchError(`input shape [${input.shape}] has an empty dimension`);
  const expected = model.inputShape;
  if (expected) {
    const names = ['height', 'width', 'channels'];
    expected.forEach((want, i) => {
      if (want !== null && shape[i + 1] !== want) {
        throw new ShapeMismatchError(
          `input ${names[i]} is ${shape[i + 1]} but the model expects ${want} (model input [${expected.map((d) => d ?? '?')}], got [${input.shape}])`,
        );
      }
    });
  }
  return (input.rank === 3 ? tf.expandDims(input, 0) : tf.clone(input)) as tf.Tensor4D;
}
