// SPDX-License-Identifier: Apache-2.0
import { solveSymmetric } from './solve.js';

/** A fitted local linear model. */
export interface RidgeFit {
  readonly coef: Float64Array;
  readonly intercept: number;
  /** Weighted coefficient of determination on the samples (sklearn `score` with sample_weight). */
  readonly r2: number;
  /** The model's prediction at the unperturbed input (all features present): intercept + sum(coef). */
  readonly localPrediction: number;
}

/**
 * sklearn's `Ridge(alpha, fit_intercept=True).fit(X, y, sample_weight=w)` (as lime_base.py uses it)
 * from the weighted Gram matrix G = Z^T W Z of Z = [1, X, y] ((F + 2) x (F + 2), see
 * weighted-gram.wgsl MODE 0): centre with the weighted means, solve (Xc^T W Xc + alpha I) b =
 * Xc^T W yc, intercept = ybar - xbar . b, R^2 = 1 - SSres / SStot (weighted), all in f64.
 */
export function ridgeFromGram(g: Float64Array, features: number, alpha: number): RidgeFit {
  const k = features + 2;
  const at = (i: number, j: number) => g[i * k + j]!;
  const sw = at(0, 0);
  const mean = Float64Array.from({ length: features }, (_, j) => at(0, j + 1) / sw);
  const ybar = at(0, k - 1) / sw;
  const a = new Float64Array(features * features);
  const b = new Float64Array(features);
  for (let i = 0; i < features; i++) {
    for (let j = 0; j < features; j++) a[i * features + j] = at(i + 1, j + 1) - sw * mean[i]! * mean[j]! + (i === j ? alpha : 0);
    b[i] = at(i + 1, k - 1) - sw * mean[i]! * ybar;
  }
  const { x: coef } = solveSymmetric(a, b, features);
  let intercept = ybar;
  for (let j = 0; j < features; j++) intercept -= mean[j]! * coef[j]!;
  // SSres = sum w (y - t.z)^2 with t = [intercept, coef] over z = [1, x]: y'Wy - 2 t'Z'Wy + t'Z'WZt.
  const t = Float64Array.from([intercept, ...coef]);
  let ssRes = at(k - 1, k - 1);
  for (let i = 0; i <= features; i++) {
    ssRes -= 2 * t[i]! * at(i, k - 1);
    for (let j = 0; j <= features; j++) ssRes += t[i]! * t[j]! * at(i, j);
  }
  const ssTot = at(k - 1, k - 1) - sw * ybar * ybar;
  const r2 = ssTot > 0 ? 1 - Math.max(0, ssRes) / ssTot : ssRes <= 1e-12 * Math.max(1, at(k - 1, k - 1)) ? 1 : 0;
  return { coef, intercept, r2, localPrediction: intercept + coef.reduce((s, v) => s + v, 0) };
}

/**
 * shap KernelExplainer.solve without l1 regularisation, from the Gram matrix of the constrained
 * design (weighted-gram.wgsl MODE 1, F x F): w = (E^T W E)^-1 E^T W y' for the first F - 1
 * features, phi_last = delta - sum(w), so sum(phi) = f(x) - f(baseline) exactly.
 */
export function shapFromGram(g: Float64Array, features: number, delta: number): Float64Array {
  const m = features - 1;
  const a = new Float64Array(m * m);
  const b = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) a[i * m + j] = g[i * features + j]!;
    b[i] = g[i * features + features - 1]!;
  }
  const { x } = solveSymmetric(a, b, m);
  const phi = new Float64Array(features);
  phi.set(x);
  phi[m] = delta - x.reduce((s, v) => s + v, 0);
  return phi;
}
