// SPDX-License-Identifier: Apache-2.0
import { UniformStream } from '../shared/random.js';

/** A KernelSHAP coalition design: `rows` masks of `features` 0/1 values and their kernel weights. */
export interface ShapDesign {
  readonly masks: Float32Array<ArrayBuffer>;
  readonly weights: Float64Array;
  readonly rows: number;
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/** Calls `visit` with every k-subset of 0 .. n-1 in lexicographic order (itertools.combinations). */
function combinations(n: number, k: number, visit: (subset: readonly number[]) => void): void {
  const idx = Array.from({ length: k }, (_, i) => i);
  for (;;) {
    visit(idx);
    let i = k - 1;
    while (i >= 0 && idx[i] === n - k + i) i--;
    if (i < 0) return;
    idx[i]!++;
    for (let j = i + 1; j < k; j++) idx[j] = idx[j - 1]! + 1;
  }
}

/**
 * shap's KernelExplainer coalition sampling (shap/explainers/_kernel.py, `explain`): subset sizes
 * weighted by the Shapley kernel (M - 1) / (s (M - s)); sizes whose every subset fits the remaining
 * budget are enumerated completely (with their complements: paired sampling), the rest drawn at
 * random in complementary pairs, repeats adding weight, and the random part's weights scaled to
 * the kernel mass left. Random draws come from the seeded Threefry stream instead of numpy's.
 * `samples` is capped at 2^M - 2 (every coalition but the empty and the full one).
 */
export function shapDesign(features: number, samples: number, seed: number): ShapDesign {
  const m = features;
  const budget = m <= 30 ? Math.min(samples, 2 ** m - 2) : samples;
  const masks = new Float32Array(budget * m);
  const weights = new Float64Array(budget);
  let added = 0;
  const add = (mask: ArrayLike<number>, w: number) => {
    masks.set(mask, added * m);
    weights[added++] = w;
  };
  const numSubsetSizes = Math.ceil((m - 1) / 2);
  const numPaired = Math.floor((m - 1) / 2);
  const weightVector = Array.from({ length: numSubsetSizes }, (_, i) => (m - 1) / ((i + 1) * (m - i - 1)));
  for (let i = 0; i < numPaired; i++) weightVector[i]! *= 2;
  const total = weightVector.reduce((a, b) => a + b, 0);
  for (let i = 0; i < numSubsetSizes; i++) weightVector[i]! /= total;

  let numFull = 0;
  let left = budget;
  const remaining = weightVector.slice();
  const mask = new Float32Array(m);
  for (let size = 1; size <= numSubsetSizes; size++) {
    let nsubsets = binomial(m, size);
    if (size <= numPaired) nsubsets *= 2;
    if ((left * remaining[size - 1]!) / nsubsets < 1 - 1e-8) break;
    numFull++;
    left -= nsubsets;
    if (remaining[size - 1]! < 1) {
      const scale = 1 - remaining[size - 1]!;
      for (let i = 0; i < remaining.length; i++) remaining[i]! /= scale;
    }
    let w = weightVector[size - 1]! / binomial(m, size);
    if (size <= numPaired) w /= 2;
    combinations(m, size, (subset) => {
      mask.fill(0);
      for (const j of subset) mask[j] = 1;
      add(mask, w);
      if (size <= numPaired) {
        for (let j = 0; j < m; j++) mask[j] = 1 - mask[j]!;
        add(mask, w);
      }
    });
  }
  const fixed = added;
  let samplesLeft = budget - added;
  if (numFull !== numSubsetSizes && samplesLeft > 0) {
    const rest = weightVector.map((w, i) => (i < numPaired ? w / 2 : w)).slice(numFull);
    const restTotal = rest.reduce((a, b) => a + b, 0);
    const cdf: number[] = [];
    rest.reduce((acc, w) => (cdf.push(acc + w / restTotal), acc + w / restTotal), 0);
    const stream = new UniformStream(seed);
    const used = new Map<string, number>();
    const perm = new Int32Array(m);
    for (let draws = 0; samplesLeft > 0 && draws < 4 * (budget - fixed); draws++) {
      const u = stream.next();
      let ind = cdf.findIndex((c) => u < c);
      if (ind < 0) ind = rest.length - 1;
      const size = ind + numFull + 1;
      for (let j = 0; j < m; j++) perm[j] = j;
      for (let j = 0; j < size; j++) {
        const r = j + stream.int(m - j); // partial Fisher-Yates: the first `size` of a random permutation
        [perm[j], perm[r]] = [perm[r]!, perm[j]!];
      }
      mask.fill(0);
      for (let j = 0; j < size; j++) mask[perm[j]!] = 1;
      const key = mask.join('');
      const seen = used.get(key);
      if (seen === undefined) {
        used.set(key, added);
        samplesLeft--;
        add(mask, 1);
      } else {
        weights[seen]! += 1;
      }
      if (samplesLeft > 0 && size <= numPaired) {
        for (let j = 0; j < m; j++) mask[j] = 1 - mask[j]!;
        if (seen === undefined) {
          samplesLeft--;
          add(mask, 1);
        } else {
          weights[seen + 1]! += 1;
        }
      }
    }
    const weightLeft = weightVector.slice(numFull).reduce((a, b) => a + b, 0);
    let randomTotal = 0;
    for (let r = fixed; r < added; r++) randomTotal += weights[r]!;
    for (let r = fixed; r < added; r++) weights[r]! *= weightLeft / randomTotal;
  }
  return { masks: masks.slice(0, added * m), weights: weights.slice(0, added), rows: added };
}
