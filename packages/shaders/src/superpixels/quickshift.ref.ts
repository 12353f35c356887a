// SPDX-License-Identifier: Apache-2.0

/** Window geometry shared by the Quick Shift kernels. */
export interface QuickshiftGeometry {
  readonly height: number;
  readonly width: number;
  /** Half-width W of the square window (skimage: ceil(3 kernelSize)). */
  readonly window: number;
}

function dist2(features: ArrayLike<number>, p: number, q: number, dy: number, dx: number): number {
  const a = features[p * 3]! - features[q * 3]!;
  const b = features[p * 3 + 1]! - features[q * 3 + 1]!;
  const c = features[p * 3 + 2]! - features[q * 3 + 2]!;
  return a * a + b * b + c * c + dy * dy + dx * dx;
}

/** CPU reference for quickshift-density.wgsl (f64). `inv` = -1 / (2 kernelSize^2). */
export function quickshiftDensityRef(
  g: QuickshiftGeometry,
  features: ArrayLike<number>,
  noise: ArrayLike<number>,
  inv: number,
): Float64Array {
  const { height, width, window } = g;
  const density = new Float64Array(height * width);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      let s = 0;
      for (let yy = Math.max(0, y - window); yy < Math.min(height, y + window + 1); yy++)
        for (let xx = Math.max(0, x - window); xx < Math.min(width, x + window + 1); xx++) {
          const e = dist2(features, p, yy * width + xx, yy - y, xx - x) * inv;
          if (e >= -40) s += Math.exp(e);
        }
      density[p] = s + 1e-5 * noise[p]!;
    }
  return density;
}

/** CPU reference for quickshift-parent.wgsl: link to the nearest denser pixel within maxDist (else self). */
export function quickshiftParentRef(
  g: QuickshiftGeometry,
  features: ArrayLike<number>,
  density: ArrayLike<number>,
  maxDist2: number,
): Uint32Array {
  const { height, width, window } = g;
  const parent = new Uint32Array(height * width);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      let closest = Infinity;
      let link = p;
      for (let yy = Math.max(0, y - window); yy < Math.min(height, y + window + 1); yy++)
        for (let xx = Math.max(0, x - window); xx < Math.min(width, x + window + 1); xx++) {
          const q = yy * width + xx;
          if (density[q]! <= density[p]!) continue;
          const d = dist2(features, p, q, yy - y, xx - x);
          if (d < closest) {
            closest = d;
            link = q;
          }
        }
      parent[p] = closest <= maxDist2 ? link : p;
    }
  return parent;
}
