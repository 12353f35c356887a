// SPDX-License-Identifier: Apache-2.0
/** CPU reference for fill.wgsl. */
export function fillRef(count: number, value: number): Float32Array<ArrayBuffer> {
  return new Float32Array(count).fill(value);
}
