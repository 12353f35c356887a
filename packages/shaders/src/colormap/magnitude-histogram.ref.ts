// SPDX-License-Identifier: Apache-2.0
import { magnitudeBinRef, signedMagnitudeRef, type SignMode } from './sign.ref.js';

/** CPU reference for magnitude-histogram.wgsl: counts per bin of the signed magnitudes. */
export function magnitudeHistogramRef(values: ArrayLike<number>, sign: SignMode, bins: number, binScale: number): Uint32Array<ArrayBuffer> {
  const histogram = new Uint32Array(bins);
  for (let i = 0; i < values.length; i++) {
    histogram[magnitudeBinRef(signedMagnitudeRef(values[i]!, sign), binScale, bins)]!++;
  }
  return histogram;
}
