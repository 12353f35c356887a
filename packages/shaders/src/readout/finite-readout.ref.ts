// SPDX-License-Identifier: Apache-2.0
/** CPU reference for finite-readout.wgsl: `[every first finite, every second finite, ...values]` (flags 1 or 0). */
export function finiteReadoutRef(
  first: ArrayLike<number>,
  second: ArrayLike<number>,
  values: ArrayLike<number>,
): Float32Array<ArrayBuffer> {
  const allFinite = (a: ArrayLike<number>) => Array.prototype.every.call(a, (v: number) => Number.isFinite(v));
  const out = new Float32Array(2 + values.length);
  out[0] = allFinite(first) ? 1 : 0;
  out[1] = allFinite(second) ? 1 : 0;
  out.set(Float32Array.from(values), 2);
  return out;
}
