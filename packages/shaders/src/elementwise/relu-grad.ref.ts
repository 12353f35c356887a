// SPDX-License-Identifier: Apache-2.0

/**
 * CPU reference for relu-grad.wgsl: dx = dy * step(x) per element, step(x) = x where x is NaN, 1 where
 * x > 0, else 0; the f32 product (a product of two f32s is exact in f64, then rounded once).
 */
export function reluGradRef(dy: ArrayLike<number>, x: ArrayLike<number>): Float32Array<ArrayBuffer> {
  return Float32Array.from({ length: dy.length }, (_, i) => {
    const v = x[i]!;
    const step = Number.isNaN(v) ? v : v > 0 ? 1 : 0;
    return Math.fround(dy[i]! * step);
  });
}
