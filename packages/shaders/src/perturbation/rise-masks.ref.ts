// SPDX-License-Identifier: Apache-2.0

/** RISE mask geometry: an H x W image, grids of gridH x gridW cells of `cell` pixels. */
export interface RiseGeometry {
  readonly height: number;
  readonly width: number;
  readonly gridH: number;
  readonly gridW: number;
  readonly cell: number;
}

function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  let j = Math.abs(i);
  if (j >= n) j = 2 * n - 2 - j;
  return j;
}

/**
 * CPU reference for rise-masks.wgsl (f64) and the explicit CPU path: masks [count, H, W] for
 * samples `sampleOffset ..`, from grids [samples, gridH * gridW] and shifts [samples, 2] (y, x).
 */
export function riseMasksRef(
  g: RiseGeometry,
  grids: ArrayLike<number>,
  shifts: ArrayLike<number>,
  sampleOffset: number,
  count: number,
  out?: Float32Array,
): Float32Array {
  const { height, width, gridH, gridW, cell } = g;
  const masks = out ?? new Float32Array(count * height * width);
  const axis = (u: number, grid: number) => {
    const s = (u + 0.5) * (grid / ((grid + 1) * cell)) - 0.5;
    const lo = Math.floor(s);
    return [reflectIndex(lo, grid), reflectIndex(lo + 1, grid), s - lo] as const;
  };
  for (let b = 0; b < count; b++) {
    const sample = sampleOffset + b;
    const base = sample * gridH * gridW;
    const sy = shifts[sample * 2]!;
    const sx = shifts[sample * 2 + 1]!;
    const xs = Array.from({ length: width }, (_, x) => axis(x + sx, gridW));
    for (let y = 0; y < height; y++) {
      const [y0, y1, fy] = axis(y + sy, gridH);
      for (let x = 0; x < width; x++) {
        const [x0, x1, fx] = xs[x]!;
        const g00 = grids[base + y0 * gridW + x0]!;
        const g01 = grids[base + y0 * gridW + x1]!;
        const g10 = grids[base + y1 * gridW + x0]!;
        const g11 = grids[base + y1 * gridW + x1]!;
        const top = g00 + fx * (g01 - g00);
        const bottom = g10 + fx * (g11 - g10);
        masks[(b * height + y) * width + x] = top + fy * (bottom - top);
      }
    }
  }
  return masks;
}
