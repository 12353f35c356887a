// SPDX-License-Identifier: Apache-2.0

/** Pearson correlation of two equally long series (f64); 0 when either is constant. */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/** Fractional ranks (1-based; ties share their mean rank), as scipy.stats.rankdata's 'average'. */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((x, y) => values[x]! - values[y]!);
  const ranks = new Float64Array(values.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]!] === values[order[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]!] = rank;
    i = j + 1;
  }
  return ranks;
}

/** Spearman rank correlation: Pearson of the average ranks (scipy.stats.spearmanr). */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return pearson(averageRanks(a), averageRanks(b));
}

/**
 * Structural similarity of two maps (Wang et al. 2004) with one global window, as Adebayo et al.
 * 2018 compare saliency maps after scaling each to [0, 1]: (2 mu_a mu_b + C1)(2 cov + C2) /
 * ((mu_a^2 + mu_b^2 + C1)(var_a + var_b + C2)), C1 = 0.01^2, C2 = 0.03^2 (data range 1).
 */
export function ssim(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const sa = scaleToUnit(a);
  const sb = scaleToUnit(b);
  const n = sa.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += sa[i]!;
    mb += sb[i]!;
  }
  ma /= n;
  mb /= n;
  let va = 0;
  let vb = 0;
  let cov = 0;
  for (let i = 0; i < n; i++) {
    va += (sa[i]! - ma) ** 2;
    vb += (sb[i]! - mb) ** 2;
    cov += (sa[i]! - ma) * (sb[i]! - mb);
  }
  const d = Math.max(1, n - 1);
  [va, vb, cov] = [va / d, vb / d, cov / d];
  const [c1, c2] = [0.01 ** 2, 0.03 ** 2];
  return ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
}

/** Min-max scaling to [0, 1] (a constant map becomes zeros). */
export function scaleToUnit(values: ArrayLike<number>): Float64Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]!);
    hi = Math.max(hi, values[i]!);
  }
  const range = hi - lo;
  return Float64Array.from({ length: values.length }, (_, i) => (range > 0 ? (values[i]! - lo) / range : 0));
}

/** Mean of a list. */
export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((s, v) => s + v, 0) / values.length;
}
