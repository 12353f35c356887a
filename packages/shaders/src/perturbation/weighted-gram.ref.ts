// SPDX-License-Identifier: Apache-2.0
import { gramColumns, type GramMode } from './weighted-gram.kernel.js';

/** Inputs of {@link weightedGramRef} (mirror weighted-gram.wgsl's bindings). */
export interface WeightedGramArgs {
  readonly mode: GramMode;
  /** Binary sample matrix [samples, features], row-major. */
  readonly samples: ArrayLike<number>;
  readonly scores: ArrayLike<number>;
  readonly weights: ArrayLike<number>;
  readonly count: number;
  /** First row of `samples` (scores and weights start at 0). Default 0. */
  readonly rowOffset?: number;
  readonly features: number;
  /** KernelSHAP only: f(baseline) and f(x) - f(baseline). */
  readonly base?: number;
  readonly delta?: number;
}

/**
 * CPU reference for weighted-gram.wgsl (f64) and the explicit CPU path: the symmetric matrix
 * Z^T W Z [columns, columns] of the derived design (last column = response).
 */
export function weightedGramRef(args: WeightedGramArgs): Float64Array {
  const { mode, samples, scores, weights, count, features, base = 0, delta = 0, rowOffset = 0 } = args;
  const columns = gramColumns(mode, features);
  const gram = new Float64Array(columns * columns);
  const z = new Float64Array(columns);
  for (let n = 0; n < count; n++) {
    const row = (n + rowOffset) * features;
    if (mode === 'lime') {
      z[0] = 1;
      for (let c = 0; c < features; c++) z[c + 1] = samples[row + c]!;
      z[features + 1] = scores[n]!;
    } else {
      const last = samples[row + features - 1]!;
      for (let c = 0; c + 1 < features; c++) z[c] = samples[row + c]! - last;
      z[features - 1] = scores[n]! - base - last * delta;
    }
    const w = weights[n]!;
    if (w === 0) continue;
    for (let i = 0; i < columns; i++) {
      const wi = w * z[i]!;
      if (wi === 0) continue;
      for (let j = i, k = i * columns + i; j < columns; j++, k++) gram[k] = gram[k]! + wi * z[j]!;
    }
  }
  for (let i = 0; i < columns; i++) for (let j = 0; j < i; j++) gram[i * columns + j] = gram[j * columns + i]!;
  return gram;
}
