// SPDX-License-Identifier: Apache-2.0
// KL-LUCB confidence bounds for Bernoulli means (Kaufmann & Kalyanakrishnan, COLT 2013), as
// alibi's anchor_base.py: bisection for the q with KL(p || q) = level.

/** KL divergence of Bernoulli(p) from Bernoulli(q), with alibi's clipping to [1e-7, 1 - 1e-7]. */
export function klBernoulli(p: number, q: number): number {
  const a = Math.min(Math.max(p, 1e-7), 1 - 1e-7);
  const b = Math.min(Math.max(q, 1e-7), 1 - 1e-7);
  return a * Math.log(a / b) + (1 - a) * Math.log((1 - a) / (1 - b));
}

/** Largest q in [p, 1] with KL(p || q) <= level (17 bisection steps, as alibi). */
export function upperBernoulli(p: number, level: number): number {
  let lo = p;
  let hi = Math.min(Math.min(p + Math.sqrt(level / 2), 1), 1);
  for (let i = 0; i < 17; i++) {
    const q = (lo + hi) / 2;
    if (klBernoulli(p, q) > level) hi = q;
    else lo = q;
  }
  return hi;
}

/** Smallest q in [0, p] with KL(p || q) <= level. */
export function lowerBernoulli(p: number, level: number): number {
  let lo = Math.max(Math.min(p - Math.sqrt(level / 2), 1), 0);
  let hi = p;
  for (let i = 0; i < 17; i++) {
    const q = (lo + hi) / 2;
    if (klBernoulli(p, q) > level) lo = q;
    else hi = q;
  }
  return lo;
}

/** The exploration rate of KL-LUCB: log(k n t^alpha / delta) + log log(...), alpha 1.1, k 405.5. */
export function klucbBeta(arms: number, t: number, delta: number): number {
  const temp = Math.log((405.5 * arms * t ** 1.1) / delta);
  return temp + Math.log(temp);
}
