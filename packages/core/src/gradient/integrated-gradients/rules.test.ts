// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '@webxai/shaders';
import { gaussLegendre, INTEGRATION_RULES, integrationRule } from './rules.js';

const close = (a: ArrayLike<number>, b: readonly number[], tol = 1e-14) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < b.length; i++) expect(Math.abs(a[i]! - b[i]!), `index ${i}: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(tol);
};

describe('Gauss-Legendre nodes and weights', () => {
  it('equal the closed forms for n = 1..5', () => {
    const s = Math.sqrt;
    const cases: [number, number[], number[]][] = [
      [1, [0], [2]],
      [2, [-1 / s(3), 1 / s(3)], [1, 1]],
      [3, [-s(3 / 5), 0, s(3 / 5)], [5 / 9, 8 / 9, 5 / 9]],
      [
        4,
        [-s(3 / 7 + (2 / 7) * s(6 / 5)), -s(3 / 7 - (2 / 7) * s(6 / 5)), s(3 / 7 - (2 / 7) * s(6 / 5)), s(3 / 7 + (2 / 7) * s(6 / 5))],
        [(18 - s(30)) / 36, (18 + s(30)) / 36, (18 + s(30)) / 36, (18 - s(30)) / 36],
      ],
      [
        5,
        [
          -(1 / 3) * s(5 + 2 * s(10 / 7)),
          -(1 / 3) * s(5 - 2 * s(10 / 7)),
          0,
          (1 / 3) * s(5 - 2 * s(10 / 7)),
          (1 / 3) * s(5 + 2 * s(10 / 7)),
        ],
        [(322 - 13 * s(70)) / 900, (322 + 13 * s(70)) / 900, 128 / 225, (322 + 13 * s(70)) / 900, (322 - 13 * s(70)) / 900],
      ],
    ];
    for (const [n, nodes, weights] of cases) {
      const rule = gaussLegendre(n);
      close(rule.nodes, nodes);
      close(rule.weights, weights);
    }
  });

  it.each([8, 50, 256])('integrate every polynomial of degree < 2n exactly on [0, 1] (n = %i)', (n) => {
    const { alphas, weights } = integrationRule('gauss-legendre', n);
    for (const degree of [0, 1, 2, 7, Math.min(2 * n - 1, 60)]) {
      const integral = alphas.reduce((s, a, i) => s + weights[i]! * a ** degree, 0);
      expect(Math.abs(integral - 1 / (degree + 1))).toBeLessThan(1e-13);
    }
    expect(Array.from(alphas).every((a, i) => a > 0 && a < 1 && (i === 0 || a > alphas[i - 1]!))).toBe(true);
  });
});

describe("Captum's Riemann rules", () => {
  it.each([2, 3, 10, 64])('alphas and weights equal the closed forms (n = %i)', (n) => {
    const ones = (v: number) => new Array<number>(n).fill(v);
    const idx = Array.from({ length: n }, (_, i) => i);
    const left = integrationRule('riemann-left', n);
    close(
      left.alphas,
      idx.map((i) => i / n),
      1e-15,
    );
    close(left.weights, ones(1 / n));
    const right = integrationRule('riemann-right', n);
    close(
      right.alphas,
      idx.map((i) => (i + 1) / n),
      1e-15,
    );
    close(right.weights, ones(1 / n));
    const middle = integrationRule('riemann-middle', n);
    close(
      middle.alphas,
      idx.map((i) => (i + 0.5) / n),
      1e-15,
    );
    close(middle.weights, ones(1 / n));
    const trapezoid = integrationRule('riemann-trapezoid', n);
    close(
      trapezoid.alphas,
      idx.map((i) => i / (n - 1)),
      1e-15,
    );
    // Captum keeps step 1/n and halves the ends: the weights sum to 1 - 1/n.
    close(
      trapezoid.weights,
      idx.map((i) => (i === 0 || i === n - 1 ? 1 / (2 * n) : 1 / n)),
    );
  });

  it('reject steps Captum rejects', () => {
    for (const rule of INTEGRATION_RULES) expect(() => integrationRule(rule, 0)).toThrow(InvalidOptionError);
    expect(() => integrationRule('riemann-left', 1)).toThrow(/steps must be an integer >= 2 for rule 'riemann-left', got 1/);
    expect(() => integrationRule('gauss-legendre', 2.5)).toThrow(/got 2.5/);
    expect(integrationRule('gauss-legendre', 1).alphas[0]).toBe(0.5);
  });
});
