// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { InvalidInputError, ShapeMismatchError } from '@webxai/shaders';

/** A ground-truth mask: a tensor [h, w], [n, h, w] or [n, h, w, 1]; a value > 0 marks the object. */
export type GroundTruthMask = tf.Tensor;

/** Checks a mask against the input and returns one 0/1 map (h * w) per image. */
export async function readMasks(metric: string, mask: unknown, n: number, height: number, width: number): Promise<Uint8Array[]> {
  if (!(mask instanceof tf.Tensor) || mask.isDisposed) {
    throw new ShapeMismatchError(
      `${metric}: mask must be a live tf.Tensor [${height}, ${width}] or [${n}, ${height}, ${width}] (values > 0 mark the object)`,
    );
  }
  const s = mask.shape as number[]; // `unknown` narrowed by instanceof leaves the rank `any`
  const ok =
    (mask.rank === 2 && s[0] === height && s[1] === width) ||
    (mask.rank === 3 && s[0] === n && s[1] === height && s[2] === width) ||
    (mask.rank === 4 && s[0] === n && s[1] === height && s[2] === width && s[3] === 1);
  if (!ok)
    throw new ShapeMismatchError(
      `${metric}: mask has shape [${s}] but the input needs [${height}, ${width}] or [${n}, ${height}, ${width}]`,
    );
  const values = await mask.data();
  const pixels = height * width;
  return Array.from({ length: n }, (_, i) => {
    const offset = mask.rank === 2 ? 0 : i * pixels;
    const out = new Uint8Array(pixels);
    let inside = 0;
    for (let p = 0; p < pixels; p++) inside += out[p] = Number(values[offset + p]) > 0 ? 1 : 0;
    if (inside === 0) throw new InvalidInputError(`${metric}: the mask of image ${i} is empty (no value > 0)`);
    return out;
  });
}
