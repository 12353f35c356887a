// SPDX-License-Identifier: Apache-2.0
import { ShapeMismatchError } from '../runtime/errors.js';

/** Shape of a pooled-ablation-weights call: activations `[images, positions, channels]`, a `[channels, classes]` Dense kernel. */
export interface PooledAblationShape {
  readonly images: number;
  readonly positions: number;
  readonly channels: number;
  readonly classes: number;
}

/** The ablation value of an image whose activation minimum is `low`: 0 for ReLU outputs, else low - 1e7. */
export function ablationValueRef(low: number): number {
  return low === 0 ? 0 : low - 1e7;
}

/**
 * CPU reference for pooled-ablation-weights.wgsl (f64 inside): Ablation-CAM weights `[images, channels]`,
 * (score - ablated) / score, for the tail `GAP(act) kernel + bias` and each image's target class.
 */
export function pooledAblationWeightsRef(
  act: ArrayLike<number>,
  kernel: ArrayLike<number>,
  bias: ArrayLike<number> | undefined,
  scores: ArrayLike<number>,
  targets: ArrayLike<number>,
  shape: PooledAblationShape,
): Float32Array<ArrayBuffer> {
  const { images, positions: P, channels: K, classes: C } = shape;
  if (act.length !== images * P * K || kernel.length !== K * C || scores.length !== images * C || targets.length !== images)
    throw new ShapeMismatchError(
      `pooledAblationWeightsRef: act ${act.length}, kernel ${kernel.length}, scores ${scores.length}, targets ${targets.length} values do not fit ${images} x ${P} x ${K} -> ${C} classes`,
    );
  const out = new Float32Array(images * K);
  for (let n = 0; n < images; n++) {
    const t = targets[n]!;
    const pooled = new Float64Array(K);
    let low = Infinity;
    for (let p = 0; p < P; p++) {
      for (let c = 0; c < K; c++) {
        const a = act[(n * P + p) * K + c]!;
        pooled[c] = pooled[c]! + a / P;
        low = Math.min(low, a);
      }
    }
    let z = bias ? bias[t]! : 0;
    pooled.forEach((v, c) => (z += v * kernel[c * C + t]!));
    const value = ablationValueRef(low);
    const original = scores[n * C + t]!;
    pooled.forEach((v, c) => (out[n * K + c] = (original - (z + (value - v) * kernel[c * C + t]!)) / original));
  }
  return out;
}
