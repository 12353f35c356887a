// SPDX-License-Identifier: Apache-2.0
import { InvalidOptionError } from '@webxai/shaders';

/** What a curve records: the target's probability, or its raw score. */
export type CurveOutput = 'probability' | 'logit';

/** Checks a metric's `output` option (undefined: the metric's default). */
export function checkCurveOutput(metric: string, output: unknown): void {
  if (output === undefined || output === 'probability' || output === 'logit') return;
  throw new InvalidOptionError(`${metric}: output must be 'probability' or 'logit', got ${JSON.stringify(output)}`);
}

/**
 * True when every row already is a probability vector (values in [0, 1] summing to 1 within 1e-3),
 * so no softmax is applied on top of a softmax head.
 */
export function areProbabilities(scores: Float32Array, classes: number): boolean {
  for (let r = 0; r < scores.length / classes; r++) {
    let sum = 0;
    for (let k = 0; k < classes; k++) {
      const v = scores[r * classes + k]!;
      if (v < 0 || v > 1) return false;
      sum += v;
    }
    if (Math.abs(sum - 1) > 1e-3) return false;
  }
  return true;
}

/** The target's value of row `row`: its raw score, or its softmax probability (f64, max-shifted). */
export function targetValue(scores: Float32Array, classes: number, row: number, target: number, softmax: boolean): number {
  const base = row * classes;
  if (!softmax) return scores[base + target]!;
  let max = -Infinity;
  for (let k = 0; k < classes; k++) max = Math.max(max, scores[base + k]!);
  let sum = 0;
  for (let k = 0; k < classes; k++) sum += Math.exp(scores[base + k]! - max);
  return Math.exp(scores[base + target]! - max) / sum;
}

/** Trapezoid area under `curve` (steps + 1 points) with dx = 1 / steps. */
export function trapezoidArea(curve: ArrayLike<number>): number {
  const steps = curve.length - 1;
  if (steps < 1) return 0;
  let area = 0;
  for (let k = 0; k < steps; k++) area += (curve[k]! + curve[k + 1]!) / 2;
  return area / steps;
}
