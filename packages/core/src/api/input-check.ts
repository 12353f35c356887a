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

/**
 * Throws the input check's error when `values` (an input's host copy) hold a NaN or Inf: the same
 * check as the kernel's, for callers that read every value back anyway.
 * @throws {InvalidInputError} the input has a NaN or Inf value.
 */
export function checkFiniteOnHost(values: Float32Array): void {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) throw notFinite();
}

/**
 * What one readback brings back: a tensor, or parts (undefined ones skipped), each flattened and as
 * float32, one after another (class indices are exact in float32, below 2^24).
 */
export type ReadParts = tf.Tensor | readonly (tf.Tensor | undefined)[];

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
  async readWith(values: ReadParts): Promise<Float32Array> {
    return (await this.readWithScores(values)).values;
  }

  /**
   * {@link readWith}, with the finiteness of `scores` (a model's output) in the same readback.
   * @throws {InvalidInputError} the input has a NaN or Inf value (checked before anything else).
   */
  async readWithScores(values: ReadParts | undefined, scores?: tf.Tensor): Promise<CheckedRead> {
    const input = this.#take();
    if (!input) return readScores(values, scores);
    // The parts go to finite-readout as they are: up to three need no Concat on webgpu.
    const data = await readFinite(input, scores, definedParts(values));
    if (data[0] !== 1) throw notFinite();
    return { values: data.subarray(2), scoresFinite: data[1] === 1 };
  }

  /**
   * The check done on the host over `values`, the input's own values that the caller read back
   * anyway (a black box's batches are written from them): no kernel and no readback of its own.
   * Nothing when the check was read already.
   * @throws {InvalidInputError} the input has a NaN or Inf value.
   */
  checkOnHost(values: Float32Array): void {
    if (this.#take()) checkFiniteOnHost(values);
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

/** The tensors of `values`, in order (none for undefined). */
function definedParts(values: ReadParts | undefined): tf.Tensor[] {
  if (values === undefined) return [];
  return values instanceof tf.Tensor ? [values] : values.filter((part) => part !== undefined);
}

/** `values` (and the finiteness of `scores`) in one readback, with no input check. */
async function readScores(values: ReadParts | undefined, scores: tf.Tensor | undefined): Promise<CheckedRead> {
  if (scores) {
    const data = await readFinite(scores, undefined, definedParts(values));
    return { values: data.subarray(2), scoresFinite: data[0] === 1 };
  }
  const parts = definedParts(values);
  if (parts.length <= 1) return { values: Float32Array.from(parts[0] ? await parts[0].data() : []), scoresFinite: true };
  const read = partsForOneReadback(parts);
  return { values: Float32Array.from(await read.data().finally(() => read.dispose())), scoresFinite: true };
}

/**
 * `values` read back as float32 (not disposed), with `check` in the same readback when one is pending.
 * @throws {InvalidInputError} the input has a NaN or Inf value.
 */
export async function readChecked(check: InputCheck | undefined, values: ReadParts): Promise<Float32Array> {
  return check ? check.readWith(values) : (await readScores(values, undefined)).values;
}

/**
 * `values` (may be undefined) and whether every score is finite, in one readback with `check` when
 * one is pending.
 * @throws {InvalidInputError} the input has a NaN or Inf value.
 */
export async function readCheckedWithScores(
  check: InputCheck | undefined,
  values: ReadParts | undefined,
  scores: tf.Tensor,
): Promise<CheckedRead> {
  return check ? check.readWithScores(values, scores) : readScores(values, scores);
}

/**
 * `parts` (two or more), each flattened and as float32, one after another, for a readback without
 * finite-readout (no input check pending, no scores). A new tensor the caller disposes; the parts
 * are not disposed.
 */
function partsForOneReadback(parts: readonly tf.Tensor[]): tf.Tensor1D {
  return tf.tidy(() => {
    const flat = parts.map((part) => tf.reshape<tf.Rank.R1>(part.dtype === 'float32' ? part : tf.cast(part, 'float32'), [-1]));
    return tf.concat(flat);
  });
}
