// SPDX-License-Identifier: Apache-2.0
/**
 * f64 standard normal tail Q(z) = 1 - Phi(z) and its inverse, accurate to ~1e-14 relative: the
 * oracle that normal-table.ts is fitted to and tested against. Not a fast path.
 */

const SQRT_2PI = Math.sqrt(2 * Math.PI);

/** Standard normal density. */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / SQRT_2PI;
}

/**
 * Upper tail Q(z) = P(Z > z) for z >= 0: power series of Phi near 0 (all terms positive),
 * Laplace's continued fraction in the tail (Abramowitz & Stegun 26.2.14).
 *
 * @example normalUpperTail(1.96) // 0.024997895148220428
 */
export function normalUpperTail(z: number): number {
  if (z < 0) return 1 - normalUpperTail(-z);
  if (z < 2.5) {
    // Phi(z) - 1/2 = pdf(z) * sum_{n>=0} z^(2n+1) / (1*3*...*(2n+1))  (A&S 26.2.11)
    let term = z;
    let sum = z;
    for (let n = 1; n < 200 && term > 1e-18 * sum; n++) {
      term *= (z * z) / (2 * n + 1);
      sum += term;
    }
    return 0.5 - normalPdf(z) * sum;
  }
  // Q(z) = pdf(z) / (z + 1/(z + 2/(z + 3/(z + ...)))), evaluated bottom-up.
  let fraction = z;
  for (let k = 300; k >= 1; k--) fraction = z + k / fraction;
  return normalPdf(z) / fraction;
}

/**
 * g(p) = -Phi^{-1}(p) = the z >= 0 with Q(z) = p, for 0 < p <= 1/2 (Newton on Q from a tail guess).
 *
 * @example normalUpperQuantile(0.025) // 1.9599639845400523
 */
export function normalUpperQuantile(p: number): number {
  if (!(p > 0 && p <= 0.5)) throw new RangeError(`normalUpperQuantile: p must be in (0, 0.5], got ${p}`);
  if (p === 0.5) return 0;
  // Start: Abramowitz & Stegun 26.2.23 (|error| < 4.5e-4), then Newton's method on Q.
  const t = Math.sqrt(-2 * Math.log(p));
  let z = t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
  for (let i = 0; i < 50; i++) {
    const step = (normalUpperTail(z) - p) / normalPdf(z);
    z += step;
    if (Math.abs(step) <= 1e-15 * Math.max(1, z)) break;
  }
  return Math.max(0, z);
}
