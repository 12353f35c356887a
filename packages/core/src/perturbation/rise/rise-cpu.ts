// SPDX-License-Identifier: Apache-2.0
import type { RiseGeometry } from '@webxai/shaders';

function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  let j = Math.abs(i);
  if (j >= n) j = 2 * n - 2 - j;
  return j;
}

/** Lower/upper source index and weight of every position along an axis (riseMasksRef's `axis`). */
function axisTable(length: number, shift: number, grid: number, cell: number): { i0: Int32Array; i1: Int32Array; f: Float64Array } {
  const i0 = new Int32Array(length);
  const i1 = new Int32Array(length);
  const f = new Float64Array(length);
  for (let u = 0; u < length; u++) {
    const s = (u + shift + 0.5) * (grid / ((grid + 1) * cell)) - 0.5;
    const lo = Math.floor(s);
    i0[u] = reflectIndex(lo, grid);
    i1[u] = reflectIndex(lo + 1, grid);
    f[u] = s - lo;
  }
  return { i0, i1, f };
}

/**
 * The CPU path's RISE masks: the same f64 operations as riseMasksRef, in the same order (so the
 * same f32 values), arranged separably: each grid row is interpolated along x once per sample,
 * then every pixel is one interpolation along y.
 */
export function riseMasksFast(
  g: RiseGeometry,
  grids: Float32Array,
  shifts: Uint32Array,
  sampleOffset: number,
  count: number,
  out: Float32Array,
): Float32Array {
  const { height, width, gridH, gridW, cell } = g;
  const rows = new Float64Array(gridH * width);
  for (let b = 0; b < count; b++) {
    const sample = sampleOffset + b;
    const base = sample * gridH * gridW;
    const ys = axisTable(height, shifts[sample * 2]!, gridH, cell);
    const xs = axisTable(width, shifts[sample * 2 + 1]!, gridW, cell);
    for (let r = 0; r < gridH; r++)
      for (let x = 0; x < width; x++) {
        const a = grids[base + r * gridW + xs.i0[x]!]!;
        const c = grids[base + r * gridW + xs.i1[x]!]!;
        rows[r * width + x] = a + xs.f[x]! * (c - a);
      }
    const o = b * height * width;
    for (let y = 0; y < height; y++) {
      const top = ys.i0[y]! * width;
      const bottom = ys.i1[y]! * width;
      const fy = ys.f[y]!;
      for (let x = 0; x < width; x++) {
        const t = rows[top + x]!;
        out[o + y * width + x] = t + fy * (rows[bottom + x]! - t);
      }
    }
  }
  return out;
}
