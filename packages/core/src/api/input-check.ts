// SPDX-License-Identifier: Apache-2.0
// The input's NaN/Inf check without a readback of its own. On Chromium's WebGPU every mapAsync is a
// round trip to the GPU process: a single-image Grad-CAM made 4 readbacks, one of them this flag.
// A method that reads something back anyway (the CAM map peaks, saliency's chosen classes) reads
// the flag in the same readback; the explainer reads it alone after methods that did not.
import * as tf from '@tensorflow/tfjs';
import { InvalidInputError } from '@webxai/shaders';

/** `[1]` float32: 1 when every value of `input` is finite, else 0. */
function finiteFlag(input: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => tf.reshape(tf.cast(tf.all(tf.isFinite(input)), 'float32'), [1]));
}

/** The error every input check throws for a NaN or Inf value. */
function notFinite(): InvalidInputError {
  return new InvalidInputError('input contains NaN or Inf values');
}

/**
 * A pending check that every value of an input batch is finite. Nothing runs until it is read: the
 * flag is recorded right before the readback it rides in, so it adds no submit either.
 */
export class InputCheck {
  /** The batch to check (not owned: it must outlive the check); undefined once read or dropped. */
  #input: tf.Tensor | undefined;

  /** A check of `input`, which the caller keeps alive until the check is read or disposed. */
  constructor(input: tf.Tensor) {
    this.#input = input;
  }

  /**
   * The values of `values` (not disposed) as float32, read back in ONE readback with the check when
   * it is still pending, else alone.
   * @throws {InvalidInputError} the input has a NaN or Inf value (checked before `values` are used).
   */
  async readWith(values: tf.Tensor): Promise<Float32Array> {
    const input = this.#take();
    if (!input) return Float32Array.from(await values.data());
    const both = tf.tidy(() => tf.concat([finiteFlag(input), tf.cast(tf.reshape(values, [-1]), 'float32')]));
    const data = (await both.data().finally(() => both.dispose())) as Float32Array;
    if (data[0] !== 1) throw notFinite();
    return data.subarray(1);
  }

  /**
   * Reads the check alone unless it was read already.
   * @throws {InvalidInputError} the input has a NaN or Inf value.
   */
  async settle(): Promise<void> {
    const input = this.#take();
    if (!input) return;
    const flag = finiteFlag(input);
    const [ok] = await flag.data().finally(() => flag.dispose());
    if (ok !== 1) throw notFinite();
  }

  /** Drops the check unread (the call failed before anything needed it). */
  dispose(): void {
    this.#take();
  }

  #take(): tf.Tensor | undefined {
    const input = this.#input;
    this.#input = undefined;
    return input;
  }
}

/**
 * `values` read back as float32 (not disposed), with `check` in the same readback when one is pending.
 * @throws {InvalidInputError} the input has a NaN or Inf value.
 */
export async function readChecked(check: InputCheck | undefined, values: tf.Tensor): Promise<Float32Array> {
  return check ? check.readWith(values) : Float32Array.from(await values.data());
}
