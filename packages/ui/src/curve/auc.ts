// SPDX-License-Identifier: Apache-2.0
import { InvalidInputError, ShapeMismatchError } from '@webxai/shaders';

/** One deletion or insertion curve: y at fractions x of pixels removed/added (x defaults to evenly spaced 0..1). */
export interface CurveSeries {
  readonly label: string;
  readonly y: readonly number[];
  readonly x?: readonly number[];
}

/** Checks a series and returns its x (explicit, or evenly spaced over [0, 1]). */
export function seriesX(series: CurveSeries): number[] {
  const { y, x, label } = series;
  const name = `curve "${label}"`;
  if (!Array.isArray(y) || y.length < 2)
    throw new InvalidInputError(`${name} needs at least 2 points, got ${Array.isArray(y) ? y.length : typeof y}`);
  const xs = x ? Array.from(x) : y.map((_, i) => i / (y.length - 1));
  if (xs.length !== y.length) throw new ShapeMismatchError(`${name} has ${xs.length} x values but ${y.length} y values`);
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i]) || !Number.isFinite(xs[i])) throw new InvalidInputError(`${name} has a NaN or infinite value at point ${i}`);
    if (i > 0 && xs[i]! < xs[i - 1]!) throw new InvalidInputError(`${name}: x must not decrease (point ${i})`);
  }
  return xs;
}

/**
 * Area under a curve by the trapezoidal rule (as the deletion/insertion metrics of RISE, Petsiuk et
 * al. 2018), over x as given (fractions 0..1 by default).
 *
 * @example
 * curveAuc({ label: 'deletion', y: [1, 0.5, 0] }); // 0.5
 */
export function curveAuc(series: CurveSeries): number {
  const xs = seriesX(series);
  let area = 0;
  for (let i = 1; i < xs.length; i++) area += ((xs[i]! - xs[i - 1]!) * (series.y[i]! + series.y[i - 1]!)) / 2;
  return area;
}
