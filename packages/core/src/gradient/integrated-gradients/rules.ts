// SPDX-License-Identifier: Apache-2.0
import { rejectOption } from '../../api/options.js';

/** Quadrature rules for the IG path integral, named as Captum's `method` (with dashes). */
export type IntegrationRule = 'riemann-left' | 'riemann-right' | 'riemann-middle' | 'riemann-trapezoid' | 'gauss-legendre';

export const INTEGRATION_RULES: readonly IntegrationRule[] = [
  'riemann-left',
  'riemann-right',
  'riemann-middle',
  'riemann-trapezoid',
  'gauss-legendre',
];

/** Nodes in [0, 1] and their weights, in f64. */
export interface Quadrature {
  readonly alphas: Float64Array;
  readonly weights: Float64Array;
}

/** numpy.linspace(start, stop, n) (endpoint included, last value exactly `stop`). */
function linspace(start: number, stop: number, n: number): Float64Array {
  const out = new Float64Array(n);
  const step = n > 1 ? (stop - start) / (n - 1) : 0;
  for (let i = 0; i < n; i++) out[i] = start + i * step;
  if (n > 1) out[n - 1] = stop;
  return out;
}

/**
 * Gauss-Legendre nodes and weights on [-1, 1], ascending, as numpy.polynomial.legendre.leggauss:
 * Newton's method on P_n (three-term recurrence) from Tricomi's initial guess, in f64, then
 * symmetrised and normalised to sum 2 as numpy does.
 */
export function gaussLegendre(n: number): { nodes: Float64Array; weights: Float64Array } {
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Root i (descending) of P_n.
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = 0;
    for (let iteration = 0; iteration < 100; iteration++) {
      let p0 = 1;
      let p1 = z;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * z * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      const pn = n === 1 ? z : p1;
      const pPrev = n === 1 ? 1 : p0;
      derivative = (n * (z * pn - pPrev)) / (z * z - 1);
      const step = pn / derivative;
      z -= step;
      if (Math.abs(step) < 1e-16) break;
    }
    nodes[n - 1 - i] = z;
    weights[n - 1 - i] = 2 / ((1 - z * z) * derivative * derivative);
  }
  // Symmetrise (x_i = -x_{n-1-i}, w_i = w_{n-1-i}) and normalise sum(w) = 2, as leggauss does.
  const x = Float64Array.from(nodes, (v, i) => (v - nodes[n - 1 - i]!) / 2);
  const w = Float64Array.from(weights, (v, i) => (v + weights[n - 1 - i]!) / 2);
  const sum = w.reduce((s, v) => s + v, 0);
  return { nodes: x, weights: w.map((v) => (v * 2) / sum) };
}

/**
 * Captum's alphas and step sizes (`captum.attr._utils.approximation_methods`) for `steps` points:
 * - riemann-left / right / middle: alphas linspace(0, 1 - 1/n) / linspace(1/n, 1) /
 *   linspace(1/(2n), 1 - 1/(2n)), weights 1/n;
 * - riemann-trapezoid: alphas linspace(0, 1), weights 1/n with the first and last halved (Captum
 *   keeps 1/n, so the weights sum to 1 - 1/n);
 * - gauss-legendre: alphas (1 + x_i) / 2, weights w_i / 2 for numpy's leggauss(n).
 * Riemann rules need steps >= 2 (as Captum asserts), Gauss-Legendre steps >= 1.
 *
 * @example integrationRule('gauss-legendre', 2) // alphas [0.2113, 0.7887], weights [0.5, 0.5]
 */
export function integrationRule(rule: IntegrationRule, steps: number): Quadrature {
  const minimum = rule === 'gauss-legendre' ? 1 : 2;
  if (!Number.isInteger(steps) || steps < minimum) {
    rejectOption('integrated-gradients', 'steps', `an integer >= ${minimum} for rule '${rule}'`, steps);
  }
  const n = steps;
  switch (rule) {
    case 'gauss-legendre': {
      const { nodes, weights } = gaussLegendre(n);
      return { alphas: nodes.map((x) => 0.5 * (1 + x)), weights: weights.map((w) => 0.5 * w) };
    }
    case 'riemann-left':
      return { alphas: linspace(0, 1 - 1 / n, n), weights: new Float64Array(n).fill(1 / n) };
    case 'riemann-right':
      return { alphas: linspace(1 / n, 1, n), weights: new Float64Array(n).fill(1 / n) };
    case 'riemann-middle':
      return { alphas: linspace(1 / (2 * n), 1 - 1 / (2 * n), n), weights: new Float64Array(n).fill(1 / n) };
    case 'riemann-trapezoid': {
      const weights = new Float64Array(n).fill(1 / n);
      weights[0] = 1 / n / 2;
      weights[n - 1] = 1 / n / 2;
      return { alphas: linspace(0, 1, n), weights };
    }
    default:
      return rejectOption('integrated-gradients', 'rule', `one of ${INTEGRATION_RULES.join(', ')}`, rule);
  }
}
