// SPDX-License-Identifier: Apache-2.0
/** CPU reference for affine.wgsl (f64 inside, rounded once on store). Also the explicit CPU path. */
export function affineRef(input: ArrayLike<number>, scale: number, offset: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(input.length);
  for (let i = 0; i < input.length; i++) out[i] = input[i]! * scale + offset;
  return out;
}
