// SPDX-License-Identifier: Apache-2.0
// The input's NaN/Inf check without a readback of its own. On Chromium's WebGPU every mapAsync is a
// round trip to the GPU process: a single-image Grad-CAM made 4 readbacks, one of them this flag.
// A method that reads something back anyway (the CAM map peaks, saliency's chosen classes) reads
// the flag in the same readback; the explainer reads it alone after methods that did not.
import * as tf from '@tensorflow/tfjs';
import { InvalidInputError } from '@webxai/shaders';
import { readFinite } from '../interop/finite-readout.js';

/** The error every input check throws for a NaN or Inf value. */
function notFinite(): InvalidInputError {
  return new InvalidInputError('input contains NaN or Inf values');
}

/** Values read with the check, and whether `scores` (when given) were all finite. */
export interface CheckedRead {
  readonly values: Float32Array;
  readonly scoresFinite: boolean;
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
    return (await this.readWithScores(values)).values;
  }

  /**
   * {@link readWith}, with the finiteness of `scores` (a model's output) in the same readback.
   * @throws {InvalidInputError} the input has a NaN or Inf value (checked before anything else).
   */
  async readWithScores(values: tf.Tensor | undefined, scores?: tf.Tensor): Promise<CheckedRead> {
    const input = this.#take();
    if (!input) return readScores(values, scores);
    const data = await readFinite(input, scores, values);
    if (data[0] !== 1) throw notFinite();
    return { values: data.subarray(2), scoresFinite: data[1] === 1 };
  }

  /**
   * Reads the check alone unless it was read already.
   * @throws {InvalidInputError} the input has a NaN or Inf value.
   */
  async settle(): Promise<void> {
    const input = this.#take();
    if (!input) return;
    const [ok] = await readFinite(input);
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

/** `values` (and the finiteness of `scores`) in one readback, with no input check. */
async function readScores(values: tf.Tensor | undefined, scores: tf.Tensor | undefined): Promise<CheckedRead> {
  if (!scores) return { values: values ? Float32Array.from(await values.data()) : new Float32Array(0), scoresFinite: true };
  const data = await readFinite(scores, undefined, values);
  return { values: data.subarray(2), scoresFinite: data[0] === 1 };
}

/**
 * `values` read back as float32 (not disposed), with `check` in the same readback when one is pending.
 * @throws {InvalidInputError} the input has a NaN or Inf value.
 */
export async function readChecked(check: InputCheck | undefined, values: tf.Tensor): Promise<Float32Array> {
  return check ? check.readWith(values) : Float32Array.from(await values.data());
}

/**
 * `values` (may be undefined) and whether every score is finite, in one readback with `check` when
 * one is pending.
 * @throws {InvalidInputError} the input has a NaN or Inf value.
 */
export async function readCheckedWithScores(
  check: InputCheck | undefined,
  values: tf.Tensor | undefined,
  scores: tf.Tensor,
): Promise<CheckedRead> {
  return check ? check.readWithScores(values, scores) : readScores(values, scores);
}

/**
 * `parts` (undefined ones skipped), each flattened and as float32, one after another: several things
 * brought back by one readback (class indices are exact in float32, below 2^24). A new tensor the
 * caller disposes (a single float32 part costs no dispatch); the parts are not disposed.
 */
export function partsForOneReadback(parts: readonly (tf.Tensor | undefined)[]): tf.Tensor1D {
  return tf.tidy(() => {
    const flat = parts
      .filter((part) => part !== undefined)
      .map((part) => tf.reshape<tf.Rank.R1>(part.dtype === 'float32' ? part : tf.cast(part, 'float32'), [-1]));
    return flat.length === 1 ? flat[0]! : tf.concat(flat);
  });
}
