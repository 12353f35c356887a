// SPDX-License-Identifier: Apache-2.0

/**
 * CPU reference for mask-accumulate.wgsl (f64 sum, rounded once per pixel) and the explicit CPU
 * path: acc[p] += sum_b weights[b] * m(b, p), m = mask, or 1 - mask when `invert`.
 */
export function maskAccumulateRef(
  acc: Float32Array,
  weights: ArrayLike<number>,
  masks: ArrayLike<number>,
  count: number,
  pixels: number,
  invert = false,
): Float32Array {
  for (let p = 0; p < pixels; p++) {
    let sum = acc[p]!;
    for (let b = 0; b < count; b++) {
      const m = masks[b * pixels + p]!;
      sum += weights[b]! * (invert ? 1 - m : m);
    }
    acc[p] = sum;
  }
  return acc;
}
