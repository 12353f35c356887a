// SPDX-License-Identifier: Apache-2.0
import { signedMagnitudeRef, type SignMode } from './sign.ref.js';

/** CPU reference for magnitude-max.wgsl: max_i s(values[i]) (0 for an empty or all-masked map). */
export function magnitudeMaxRef(values: ArrayLike<number>, sign: SignMode): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    const s = signedMagnitudeRef(values[i]!, sign);
    if (s > max) max = s;
  }
  return max;
}
