// SPDX-License-Identifier: Apache-2.0
import { InvalidOptionError, ShapeMismatchError } from '../runtime/errors.js';

/**
 * Half of scipy.ndimage.gaussian_filter1d's kernel (truncate = 4): radius r = int(4 sigma + 0.5),
 * w_i = exp(-i^2 / (2 sigma^2)) / sum_{j=-r..r} exp(-j^2 / (2 sigma^2)) for i = 0..r, in f64.
 * sigma = 0 (scipy skips the axis) gives [1], the identity.
 *
 * @example gaussianHalfKernel(1).length // 5 (radius 4)
 */
export function gaussianHalfKernel(sigma: number): Float64Array {
  if (!Number.isFinite(sigma) || sigma < 0) throw new InvalidOptionError(`gaussian blur: sigma must be >= 0, got ${sigma}`);
  if (sigma <= 1e-15) return Float64Array.of(1);
  const radius = Math.floor(4 * sigma + 0.5);
  const half = new Float64Array(radius + 1);
  let sum = 0;
  for (let i = 0; i <= radius; i++) {
    half[i] = Math.exp((-0.5 * i * i) / (sigma * sigma));
    sum += i === 0 ? half[i]! : 2 * half[i]!;
  }
  return half.map((v) => v / sum);
}

/** A blur plan: per output image, its source row and sigma; packed for gaussian-blur-axis.wgsl. */
export interface BlurPlan {
  /** Input image each output image blurs. */
  readonly sourceRows: ArrayLike<number>;
  readonly sigmas: ArrayLike<number>;
}

/** The packed plan: `points` (sourceRow, radius) u32 pairs, and the half kernels, `stride` f32 each. */
export interface PackedBlurPlan {
  readonly points: Uint32Array<ArrayBuffer>;
  readonly weights: Float32Array<ArrayBuffer>;
  readonly stride: number;
}

/** Packs a blur plan (kernels computed in f64, stored as f32). */
export function packBlurPlan(plan: BlurPlan): PackedBlurPlan {
  const count = plan.sigmas.length;
  if (plan.sourceRows.length !== count) {
    throw new ShapeMismatchError(`blur plan: ${plan.sourceRows.length} source rows for ${count} sigmas`);
  }
  const kernels = Array.from({ length: count }, (_, i) => gaussianHalfKernel(plan.sigmas[i]!));
  const stride = Math.max(1, ...kernels.map((k) => k.length));
  const points = new Uint32Array(Math.max(4, count * 2));
  const weights = new Float32Array(Math.max(4, count * stride));
  kernels.forEach((k, i) => {
    points[i * 2] = plan.sourceRows[i]!;
    points[i * 2 + 1] = k.length - 1;
    weights.set(k, i * stride);
  });
  return { points, weights, stride };
}

/** Two blur plans over the same source rows: Blur IG's path points (`sigmas`) and their sigma neighbours (`aheadSigmas`). */
export interface BlurPairPlan {
  readonly sourceRows: ArrayLike<number>;
  readonly sigmas: ArrayLike<number>;
  readonly aheadSigmas: ArrayLike<number>;
}

/**
 * A packed pair plan: plan a's entries, then plan b's from `aheadOffset` on (one weights buffer, one
 * stride); `pairWeights` holds the same f32 weights interleaved per tap, (a's, b's), for the GPU.
 */
export interface PackedBlurPairPlan extends PackedBlurPlan {
  readonly aheadOffset: number;
  readonly pairWeights: Float32Array<ArrayBuffer>;
}

/** Packs a pair plan for gaussian-blur-pair.wgsl (each kernel's f32 weights are packBlurPlan's). */
export function packBlurPairPlan(plan: BlurPairPlan): PackedBlurPairPlan {
  const count = plan.sigmas.length;
  if (plan.sourceRows.length !== count || plan.aheadSigmas.length !== count) {
    throw new ShapeMismatchError(
      `blur pair plan: ${plan.sourceRows.length} source rows, ${count} sigmas and ${plan.aheadSigmas.length} ahead sigmas; give one of each per output image`,
    );
  }
  const rows = Array.from(plan.sourceRows);
  const packed = packBlurPlan({ sourceRows: [...rows, ...rows], sigmas: [...Array.from(plan.sigmas), ...Array.from(plan.aheadSigmas)] });
  const taps = count * packed.stride;
  const pairWeights = new Float32Array(Math.max(4, 2 * taps));
  for (let i = 0; i < taps; i++) {
    pairWeights[2 * i] = packed.weights[i]!;
    pairWeights[2 * i + 1] = packed.weights[taps + i]!;
  }
  return { ...packed, aheadOffset: count, pairWeights };
}
