// SPDX-License-Identifier: Apache-2.0
import { ShapeMismatchError } from '../runtime/errors.js';

/** Which samples a batch holds (sample-major: point t is a sample of image t % imageCount). */
export interface SampleBatch {
  readonly elementCount: number;
  readonly firstPoint: number;
  readonly pointCount: number;
  readonly imageCount: number;
}

/**
 * CPU reference for noise-points.wgsl (sigma rounded to f32 as on the GPU, the rest in f64);
 * also the CPU path. `noise` holds the batch's standard normal values and is left untouched.
 */
export function noisePointsRef(
  input: ArrayLike<number>,
  minima: ArrayLike<number>,
  maxima: ArrayLike<number>,
  noise: ArrayLike<number>,
  noiseLevel: number,
  batch: SampleBatch,
): Float32Array<ArrayBuffer> {
  const { elementCount: n, firstPoint, pointCount, imageCount } = batch;
  if (input.length !== imageCount * n || minima.length < imageCount || maxima.length < imageCount || noise.length < pointCount * n) {
    throw new ShapeMismatchError(
      `noisePointsRef: input ${input.length}, minima ${minima.length}, maxima ${maxima.length}, noise ${noise.length} do not fit ${imageCount} images of ${n} and ${pointCount} points`,
    );
  }
  const out = new Float32Array(pointCount * n);
  for (let p = 0; p < pointCount; p++) {
    const image = (firstPoint + p) % imageCount;
    const sigma = Math.fround(Math.fround(noiseLevel) * Math.fround(maxima[image]! - minima[image]!));
    for (let e = 0; e < n; e++) out[p * n + e] = input[image * n + e]! + sigma * noise[p * n + e]!;
  }
  return out;
}
