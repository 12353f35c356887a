// SPDX-License-Identifier: Apache-2.0

/** Hyper-parameters of one Adam step ({@link adamAscendRef}); `rate` includes the bias corrections. */
export interface AdamStep {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly rate: number;
}

/** f64 reference of adam-ascend: the new parameters, first and second moments. */
export function adamAscendRef(
  x: ArrayLike<number>,
  gradient: ArrayLike<number>,
  m: ArrayLike<number>,
  v: ArrayLike<number>,
  { beta1, beta2, epsilon, rate }: AdamStep,
): { x: Float64Array; m: Float64Array; v: Float64Array } {
  const out = { x: new Float64Array(x.length), m: new Float64Array(x.length), v: new Float64Array(x.length) };
  for (let i = 0; i < x.length; i++) {
    const g = gradient[i]!;
    out.m[i] = beta1 * m[i]! + (1 - beta1) * g;
    out.v[i] = beta2 * v[i]! + (1 - beta2) * g * g;
    out.x[i] = x[i]! + (rate * out.m[i]!) / (Math.sqrt(out.v[i]!) + epsilon);
  }
  return out;
}
