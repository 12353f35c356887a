// SPDX-License-Identifier: Apache-2.0
import { InvalidOptionError } from '../runtime/errors.js';

/** Colour weight of slic-assign-sum.wgsl's distance (a WGSL const there). */
export const SLIC_COLOR_WEIGHT = 2048;

/** The grid and integer distance weights of one SLIC run. */
export interface SlicPlan {
  readonly height: number;
  readonly width: number;
  readonly gridH: number;
  readonly gridW: number;
  /** Grid step S in pixels (sqrt(H W / segments)). */
  readonly step: number;
  readonly spatialWeight: number;
  readonly maxSpatial2: number;
}

/**
 * Grid and weights for `segments` superpixels of compactness m on an H x W image: S = sqrt(H W /
 * segments), a grid of round(H / S) x round(W / S) cells, and the integer weights of
 * COLOR_WEIGHT * dc^2 + spatialWeight * ds^2 with spatialWeight = round(COLOR_WEIGHT * 4 m^2 / S^2)
 * (features are half Lab units, hence 4), i.e. SLIC's dc^2 / m^2 + ds^2 / S^2 up to rounding.
 *
 * @throws {InvalidOptionError} segments < 1 or > pixels, compactness outside (0, 100], an image side
 *   over 8192, or a grid step too large for exact u32 sums (ask for more segments).
 */
export function slicPlan(height: number, width: number, segments: number, compactness: number): SlicPlan {
  const pixels = height * width;
  if (!Number.isInteger(segments) || segments < 1 || segments > pixels) {
    throw new InvalidOptionError(`slic: segments must be an integer in [1, ${pixels}] (the number of pixels), got ${segments}`);
  }
  if (!(compactness > 0 && compactness <= 100)) {
    throw new InvalidOptionError(`slic: compactness must be in (0, 100], got ${compactness}`);
  }
  if (height > 8192 || width > 8192) throw new InvalidOptionError(`slic: image sides must be <= 8192, got ${height}x${width}`);
  const step = Math.sqrt(pixels / segments);
  const gridH = Math.max(1, Math.min(height, Math.round(height / step)));
  const gridW = Math.max(1, Math.min(width, Math.round(width / step)));
  const cell = Math.max(Math.ceil(height / gridH), Math.ceil(width / gridW));
  if (9 * cell * cell * Math.max(3 * cell + 3, 511) >= 2 ** 32) {
    throw new InvalidOptionError(
      `slic: ${segments} segments on ${height}x${width} gives cells of ${cell} pixels, too large for exact sums; ask for at least ${Math.ceil(pixels / 550 ** 2)} segments`,
    );
  }
  const spatialWeight = Math.max(1, Math.round((SLIC_COLOR_WEIGHT * 4 * compactness * compactness) / (step * step)));
  const maxSpatial2 = Math.min(2 ** 27, Math.ceil(16 * step * step));
  // Largest distance: COLOR_WEIGHT * 3 * 511^2 + spatialWeight * maxSpatial2 must stay below 2^32.
  if (SLIC_COLOR_WEIGHT * 3 * 511 * 511 + spatialWeight * maxSpatial2 >= 2 ** 32) {
    throw new InvalidOptionError(`slic: compactness ${compactness} is too large for this grid step (${step.toFixed(1)} pixels)`);
  }
  return { height, width, gridH, gridW, step, spatialWeight, maxSpatial2 };
}
