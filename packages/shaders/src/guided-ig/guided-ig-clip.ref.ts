// SPDX-License-Identifier: Apache-2.0

/** The f32 arrays guided-ig-clip reads, row-major [rows, rowLength] (`going`: one 1 / 0 flag per row). */
export interface GuidedIgClipInputs {
  readonly x: ArrayLike<number>;
  readonly xBase: ArrayLike<number>;
  readonly diff: ArrayLike<number>;
  readonly xMin: ArrayLike<number>;
  readonly going: ArrayLike<number>;
}

/**
 * CPU reference for guided-ig-clip.wgsl: x_min where the row is going, diff != 0 and
 * (x - xBase) / diff < alphaMin, each operation rounded to f32; else x.
 *
 * @example guidedIgClipRef({ x: [0, 0.5], xBase: [0, 0], diff: [1, 1], xMin: [0.2, 0.2], going: [1] }, 1, 2, 0.2) // [0.2, 0.5]
 */
export function guidedIgClipRef(a: GuidedIgClipInputs, rows: number, rowLength: number, alphaMin: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(rows * rowLength);
  const threshold = Math.fround(alphaMin);
  for (let i = 0; i < rows * rowLength; i++) {
    const d = a.diff[i]!;
    const behind = a.going[Math.floor(i / rowLength)] !== 0 && d !== 0 && Math.fround(Math.fround(a.x[i]! - a.xBase[i]!) / d) < threshold;
    out[i] = behind ? a.xMin[i]! : a.x[i]!;
  }
  return out;
}
