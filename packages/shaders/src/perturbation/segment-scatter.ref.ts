// SPDX-License-Identifier: Apache-2.0

/** CPU reference for segment-scatter.wgsl and the explicit CPU path: out[offset + p] = values[segments[p]]. */
export function segmentScatterRef(segments: ArrayLike<number>, values: ArrayLike<number>, out?: Float32Array, outOffset = 0): Float32Array {
  const output = out ?? new Float32Array(outOffset + segments.length);
  for (let p = 0; p < segments.length; p++) output[outOffset + p] = values[segments[p]!]!;
  return output;
}
