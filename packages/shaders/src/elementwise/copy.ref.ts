// SPDX-License-Identifier: Apache-2.0
/** CPU reference for copy.wgsl: the first `count` values of `input`. */
export function copyRef(input: ArrayLike<number>, count: number): Float32Array<ArrayBuffer> {
  return Float32Array.from({ length: count }, (_, i) => input[i]!);
}
