// SPDX-License-Identifier: Apache-2.0
/**
 * How an attribution's sign is shown, as in Captum's and alibi's `visualize_image_attr`:
 * `positive` keeps max(v, 0), `negative` keeps max(-v, 0), `absolute` uses |v|, `both` uses |v|
 * as magnitude and maps the sign onto a diverging colormap.
 */
export type SignMode = 'positive' | 'negative' | 'absolute' | 'both';

/** The u32 code each {@link SignMode} has in sign.wgsl. */
export const SIGN_CODE: Readonly<Record<SignMode, number>> = { positive: 0, negative: 1, absolute: 2, both: 3 };

/** CPU reference of sign.wgsl's `signedMagnitude` (exact: no rounding involved). */
export function signedMagnitudeRef(v: number, sign: SignMode): number {
  if (sign === 'positive') return v > 0 ? v : 0;
  if (sign === 'negative') return v < 0 ? -v : 0;
  return Math.abs(v);
}

/**
 * CPU reference of sign.wgsl's `magnitudeBin`: floor(s * binScale) in f32 (one correctly rounded
 * multiply, emulated with Math.fround), clamped to [0, bins - 1].
 */
export function magnitudeBinRef(s: number, binScale: number, bins: number): number {
  const b = Math.floor(Math.fround(Math.fround(s) * Math.fround(binScale)));
  return Math.min(bins - 1, Math.max(0, b));
}
