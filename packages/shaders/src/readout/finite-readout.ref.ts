// SPDX-License-Identifier: Apache-2.0
/**
 * CPU reference for finite-readout.wgsl: `[every first finite, every second finite, ...values,
 * ...values2, ...values3]` (flags 1 or 0; the parts' values one after another).
 */
export function finiteReadoutRef(
  first: ArrayLike<number>,
  second: ArrayLike<number>,
  ...parts: ArrayLike<number>[]
): Float32Array<ArrayBuffer> {
  const allFinite = (a: ArrayLike<number>) => Array.prototype.every.call(a, (v: number) => Number.isFinite(v));
  const out = new Float32Array(2 + parts.reduce((n, part) => n + part.length, 0));
  out[0] = allFinite(first) ? 1 : 0;
  out[1] = allFinite(second) ? 1 : 0;
  parts.reduce((at, part) => (out.set(Float32Array.from(part), at), at + part.length), 2);
  return out;
}
