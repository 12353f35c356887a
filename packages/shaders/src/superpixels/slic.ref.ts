// SPDX-License-Identifier: Apache-2.0
import { SLIC_COLOR_WEIGHT, type SlicPlan } from './slic-plan.js';

/** CPU reference for slic-assign-sum.wgsl's labels (INIT = `init`): writes `labels` [H * W]. Exact. */
export function slicAssignRef(
  plan: SlicPlan,
  features: ArrayLike<number>,
  centers: ArrayLike<number>,
  labels: Uint32Array,
  init = false,
): Uint32Array {
  const { height, width, gridH, gridW, spatialWeight, maxSpatial2 } = plan;
  for (let y = 0; y < height; y++) {
    const gy = Math.floor((y * gridH) / height);
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const gx = Math.floor((x * gridW) / width);
      if (init) {
        labels[p] = gy * gridW + gx;
        continue;
      }
      const l = features[p * 3]!;
      const a = features[p * 3 + 1]!;
      const b = features[p * 3 + 2]!;
      let best = Infinity;
      let bestK = 0;
      for (let cy = Math.max(gy - 1, 0); cy <= Math.min(gy + 1, gridH - 1); cy++) {
        for (let cx = Math.max(gx - 1, 0); cx <= Math.min(gx + 1, gridW - 1); cx++) {
          const k = cy * gridW + cx;
          const dy = y - centers[k * 5]!;
          const dx = x - centers[k * 5 + 1]!;
          const dl = l - centers[k * 5 + 2]!;
          const da = a - centers[k * 5 + 3]!;
          const db = b - centers[k * 5 + 4]!;
          const d = SLIC_COLOR_WEIGHT * (dl * dl + da * da + db * db) + spatialWeight * Math.min(dy * dy + dx * dx, maxSpatial2);
          if (d < best) {
            best = d;
            bestK = k;
          }
        }
      }
      labels[p] = bestK;
    }
  }
  return labels;
}

/**
 * CPU reference for slic-assign-sum.wgsl's sums: for every (grid row gy, image column x) and every
 * slot s (the 3 x 3 cells around the column's cell, row-major), the count of the column's pixels in
 * that cell labelled with slot s's cluster, their summed y - (the cell's first row), and summed L, a,
 * b; [gridH * width * 9 * 5]. Exact.
 */
export function slicColumnSumsRef(plan: SlicPlan, features: ArrayLike<number>, labels: ArrayLike<number>): Uint32Array {
  const { height, width, gridH, gridW } = plan;
  const sums = new Uint32Array(gridH * width * 45);
  let firstRow = 0;
  for (let y = 0; y < height; y++) {
    const gy = Math.floor((y * gridH) / height);
    if (y === 0 || Math.floor(((y - 1) * gridH) / height) !== gy) firstRow = y;
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const gx = Math.floor((x * gridW) / width);
      const k = labels[p]!;
      const slot = (Math.floor(k / gridW) - gy + 1) * 3 + ((k % gridW) - gx + 1);
      const base = ((gy * width + x) * 9 + slot) * 5;
      const fields = [1, y - firstRow, features[p * 3]!, features[p * 3 + 1]!, features[p * 3 + 2]!];
      fields.forEach((v, f) => (sums[base + f] = sums[base + f]! + v));
    }
  }
  return sums;
}

/**
 * CPU reference for the SLIC update (slic-assign-sum.wgsl's sums + slic-update.wgsl): every centre moves to
 * the rounded mean ((sum + floor(n / 2)) / n, integer division) position and colour of its pixels;
 * a cluster without pixels keeps its centre. Exact: the GPU sums positions relative to an integer
 * origin, which shifts the same floor by the same integer.
 */
export function slicUpdateRef(plan: SlicPlan, features: ArrayLike<number>, labels: ArrayLike<number>, centers: Uint32Array): Uint32Array {
  const { height, width, gridH, gridW } = plan;
  const sums = new Float64Array(gridH * gridW * 6);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const k = labels[p]!;
      const s = k * 6;
      sums[s] = sums[s]! + 1;
      sums[s + 1] = sums[s + 1]! + y;
      sums[s + 2] = sums[s + 2]! + x;
      sums[s + 3] = sums[s + 3]! + features[p * 3]!;
      sums[s + 4] = sums[s + 4]! + features[p * 3 + 1]!;
      sums[s + 5] = sums[s + 5]! + features[p * 3 + 2]!;
    }
  }
  for (let k = 0; k < gridH * gridW; k++) {
    const n = sums[k * 6]!;
    if (n === 0) continue;
    const half = Math.floor(n / 2);
    for (let f = 0; f < 5; f++) centers[k * 5 + f] = Math.floor((sums[k * 6 + f + 1]! + half) / n);
  }
  return centers;
}

/** The SLIC iterations on the CPU: init labels, centres from them, then `iterations` x (assign, update). */
export function slicRef(plan: SlicPlan, features: ArrayLike<number>, iterations: number): Uint32Array {
  const labels = new Uint32Array(plan.height * plan.width);
  const centers = new Uint32Array(plan.gridH * plan.gridW * 5);
  slicAssignRef(plan, features, centers, labels, true);
  slicUpdateRef(plan, features, labels, centers);
  for (let i = 0; i < iterations; i++) {
    slicAssignRef(plan, features, centers, labels);
    slicUpdateRef(plan, features, labels, centers);
  }
  return labels;
}
