// SPDX-License-Identifier: Apache-2.0
import type { PackedBlurPlan } from './gaussian-kernel.js';

/** Shape and plan slice of one blur pass. */
export interface BlurPass {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly pointCount: number;
  readonly firstPoint: number;
  readonly axis: 0 | 1;
  /** Read the source row from the plan (first pass) or use the output index (second pass). */
  readonly sourceFromPlan: boolean;
}

/** CPU reference for gaussian-blur-axis.wgsl (f64 sums of the f32 weights, in tap order); also the CPU path. */
export function gaussianBlurAxisRef(input: ArrayLike<number>, plan: PackedBlurPlan, pass: BlurPass): Float32Array<ArrayBuffer> {
  const { height, width, channels, pointCount, firstPoint, axis, sourceFromPlan } = pass;
  const imageSize = height * width * channels;
  const out = new Float32Array(pointCount * imageSize);
  for (let p = 0; p < pointCount; p++) {
    const t = firstPoint + p;
    const row = sourceFromPlan ? plan.points[t * 2]! : p;
    const r = plan.points[t * 2 + 1]!;
    const kernel = t * plan.stride;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < channels; c++) {
          let sum = 0;
          for (let k = -r; k <= r; k++) {
            const yy = axis === 0 ? y + k : y;
            const xx = axis === 1 ? x + k : x;
            if (yy < 0 || yy >= height || xx < 0 || xx >= width) continue;
            sum += plan.weights[kernel + Math.abs(k)]! * input[row * imageSize + (yy * width + xx) * channels + c]!;
          }
          out[p * imageSize + (y * width + x) * channels + c] = sum;
        }
      }
    }
  }
  return out;
}
