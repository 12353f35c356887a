// SPDX-License-Identifier: Apache-2.0
import { guidedIgStep } from './guided-ig-step.kernel.js';
import { guidedIgKeysRef, guidedIgRankedKeyRef } from './guided-ig-keys.ref.js';

const f = Math.fround;

/** The f32 arrays guided-ig-step reads, row-major [rows, rowLength]. */
export interface GuidedIgStepInputs {
  readonly gradient: ArrayLike<number>;
  readonly xIn: ArrayLike<number>;
  readonly xBase: ArrayLike<number>;
  readonly diff: ArrayLike<number>;
  readonly xStart: ArrayLike<number>;
  readonly attribution: ArrayLike<number>;
}

/** guided-ig-step's uniform (the f32 fields are rounded to f32 as the GPU receives them). */
export interface GuidedIgStepParams {
  readonly rows: number;
  readonly rowLength: number;
  readonly rank: number;
  readonly maxIterations: number;
  readonly alphaMin: number;
  readonly alphaMax: number;
  readonly targetFraction: number;
  readonly tolerance: number;
}

/**
 * guided-ig-step.wgsl's sum of term(0 .. length) in f32: `lanes` partial sums, lane l adding
 * terms l, l + lanes, ... in order, then a pairwise tree (lane l adds lane l + stride).
 */
export function fixedOrderSumF32(length: number, lanes: number, term: (i: number) => number): number {
  const partial = new Float64Array(lanes);
  for (let i = 0; i < length; i++) partial[i % lanes] = f(partial[i % lanes]! + term(i));
  for (let stride = lanes / 2; stride >= 1; stride /= 2) {
    for (let l = 0; l < stride; l++) partial[l] = f(partial[l]! + partial[l + stride]!);
  }
  return partial[0]!;
}

/** One row's step: x starts as the row of xStart and ends as the step's end point (in place). */
function stepRow(a: GuidedIgStepInputs, p: GuidedIgStepParams, base: number, x: Float32Array, lanes: number): void {
  const n = p.rowLength;
  const [alphaMin, alphaMax] = [f(p.alphaMin), f(p.alphaMax)];
  const xMax = Float32Array.from({ length: n }, (_, i) => a.xBase[base + i]! + f(a.diff[base + i]! * alphaMax));
  const total = fixedOrderSumF32(n, lanes, (i) => Math.abs(a.diff[base + i]!));
  const target = f(total * f(p.targetFraction));
  const closeEnough = f(f(p.tolerance) * total);
  const keys = new Float64Array(n);
  for (let iteration = 0; iteration < p.maxIterations && total > 0; iteration++) {
    for (let i = 0; i < n; i++) {
      const d = a.diff[base + i]!;
      if (d !== 0 && f(f(x[i]! - a.xBase[base + i]!) / d) < alphaMin) x[i] = a.xBase[base + i]! + f(d * alphaMin);
    }
    const distance = fixedOrderSumF32(n, lanes, (i) => Math.abs(f(x[i]! - a.xIn[base + i]!)));
    if (Math.abs(f(target - distance)) <= closeEnough) break;
    guidedIgKeysRef(a.gradient, base, (i) => x[i] === xMax[i], keys);
    const threshold = guidedIgRankedKeyRef(keys, p.rank);
    const selected = (i: number) => keys[i]! <= threshold;
    const selectable = fixedOrderSumF32(n, lanes, (i) => (selected(i) ? Math.abs(f(x[i]! - xMax[i]!)) : 0));
    const gamma = f(f(distance - target) / selectable);
    const allTheWay = !(selectable > 0) || gamma > 1;
    for (let i = 0; i < n; i++) {
      if (selected(i)) x[i] = allTheWay ? xMax[i]! : x[i]! + f(f(xMax[i]! - x[i]!) * gamma);
    }
  }
}

/**
 * CPU reference for guided-ig-step.wgsl, the same f32 operations in the same order (sums by
 * {@link fixedOrderSumF32} over the kernel's workgroup size): per row, PAIR's selection loop from
 * xStart, then attribution + (x - xStart) * gradient. Returns the end points and the attribution.
 *
 * @example guidedIgStepRef(inputs, { rows: 1, rowLength: 4, rank: 1, maxIterations: 64, alphaMin: 0, alphaMax: 0.5, targetFraction: 0.5, tolerance: 1e-5 })
 */
export function guidedIgStepRef(
  a: GuidedIgStepInputs,
  p: GuidedIgStepParams,
  lanes = guidedIgStep.workgroupSize,
): { x: Float32Array<ArrayBuffer>; attribution: Float32Array<ArrayBuffer> } {
  const length = p.rows * p.rowLength;
  const x = Float32Array.from({ length }, (_, i) => a.xStart[i]!);
  for (let r = 0; r < p.rows; r++) stepRow(a, p, r * p.rowLength, x.subarray(r * p.rowLength, (r + 1) * p.rowLength), lanes);
  const attribution = Float32Array.from({ length }, (_, i) => a.attribution[i]! + f(f(x[i]! - a.xStart[i]!) * a.gradient[i]!));
  return { x, attribution };
}
