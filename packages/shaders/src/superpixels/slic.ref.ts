// SPDX-License-Identifier: Apache-2.0
import { SLIC_COLOR_WEIGHT, type SlicPlan } from './slic-plan.js';

/** CPU reference for slic-assign.wgsl (INIT = `init`): writes `labels` [H * W]. Exact. */
export function slicAssignRef(plan: SlicPlan, features: ArrayLike<number>, centers: ArrayLike<number>, labels: Uint32Array, init = false): Uint32Array {
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
      for (let cy = Math.max(gy - 2, 0); cy <= Math.min(gy + 2, gridH - 1); cy++) {
        for (let cx = Math.max(gx - 2, 0); cx <= Math.min(gx + 2, gridW - 1); cx++) {
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

const cellStart = (g: number, size: number, grid: number) => Math.floor((g * size + grid - 1) / grid);

/** CPU reference for slic-update.wgsl: moves `centers` [clusters * 5] in place. Exact. */
export function slicUpdateRef(plan: SlicPlan, features: ArrayLike<number>, labels: ArrayLike<number>, centers: Uint32Array): Uint32Array {
  const { height, width, gridH, gridW } = plan;
  for (let k = 0; k < gridH * gridW; k++) {
    const gy = Math.floor(k / gridW);
    const gx = k - gy * gridW;
    const y0 = cellStart(Math.max(gy - 2, 0), height, gridH);
    const y1 = cellStart(Math.min(gy + 3, gridH), height, gridH);
    const x0 = cellStart(Math.max(gx - 2, 0), width, gridW);
    const x1 = cellStart(Math.min(gx + 3, gridW), width, gridW);
    const s = [0, 0, 0, 0, 0, 0];
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const p = y * width + x;
        if (labels[p] !== k) continue;
        s[0]!++;
        s[1]! += y - y0;
        s[2]! += x - x0;
        s[3]! += features[p * 3]!;
        s[4]! += features[p * 3 + 1]!;
        s[5]! += features[p * 3 + 2]!;
      }
    }
    const n = s[0]!;
    if (n === 0) continue;
    const half = Math.floor(n / 2);
    const mean = (v: number) => Math.floor((v + half) / n);
    centers[k * 5] = y0 + mean(s[1]!);
    centers[k * 5 + 1] = x0 + mean(s[2]!);
    centers[k * 5 + 2] = mean(s[3]!);
    centers[k * 5 + 3] = mean(s[4]!);
    centers[k * 5 + 4] = mean(s[5]!);
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
