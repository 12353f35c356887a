// SPDX-License-Identifier: Apache-2.0
import { adamAscendRef, type AdamStep } from './adam-ascend.ref.js';

/**
 * f64 reference of adam-ascend-premix: adamAscendRef's x, m, v and the premixed spectrum of x
 * (images x 3 planes of `planeFloats`): plane 3 n + j = (sum_i mix[3 i + j] x_{3 n + i}) * scale.
 * `premixOf` mixes any variables (e.g. the kernel's own f32 x').
 */
export function adamAscendPremixRef(
  x: ArrayLike<number>,
  gradient: ArrayLike<number>,
  m: ArrayLike<number>,
  v: ArrayLike<number>,
  step: AdamStep,
  scale: ArrayLike<number>,
  mix: readonly number[],
): { x: Float64Array; m: Float64Array; v: Float64Array; premixed: Float64Array } {
  const out = adamAscendRef(x, gradient, m, v, step);
  return { ...out, premixed: premixOf(out.x, scale, mix) };
}

/** The premixed spectrum of variables `x` [images * 3, plane] with the 1/f `scale` [plane]. */
export function premixOf(x: ArrayLike<number>, scale: ArrayLike<number>, mix: readonly number[]): Float64Array {
  const plane = scale.length;
  const out = new Float64Array(x.length);
  for (let first = 0; first < x.length; first += 3 * plane)
    for (let j = 0; j < 3; j++)
      for (let e = 0; e < plane; e++) {
        let sum = 0;
        for (let i = 0; i < 3; i++) sum += mix[3 * i + j]! * x[first + i * plane + e]!;
        out[first + j * plane + e] = sum * scale[e]!;
      }
  return out;
}
