// SPDX-License-Identifier: Apache-2.0
import { ShapeMismatchError } from '../runtime/errors.js';
import type { SampleBatch } from './noise-points.ref.js';
import type { SmoothGradInner, SmoothGradVariant } from './smoothgrad-accumulate.kernel.js';

/**
 * CPU reference for smoothgrad-accumulate.wgsl (f64 sums in the kernel's order, one rounding on
 * store); also the CPU path. Updates `first` (and `second` for 'variance') in place.
 */
export function smoothGradAccumulateRef(
  inner: SmoothGradInner,
  variant: SmoothGradVariant,
  points: ArrayLike<number>,
  gradients: ArrayLike<number>,
  first: Float32Array<ArrayBuffer>,
  second: Float32Array<ArrayBuffer> | undefined,
  invSamples: number,
  batch: SampleBatch,
): void {
  const { elementCount: n, firstPoint, pointCount, imageCount } = batch;
  if (
    gradients.length < pointCount * n ||
    first.length !== imageCount * n ||
    (variant === 'variance' && second?.length !== imageCount * n)
  ) {
    throw new ShapeMismatchError(`smoothGradAccumulateRef: buffers do not fit ${imageCount} images of ${n} and ${pointCount} points`);
  }
  const scale = Math.fround(invSamples);
  for (let image = 0; image < imageCount; image++) {
    for (let e = 0; e < n; e++) {
      let sum = 0;
      let sumSquares = 0;
      for (
        let t = firstPoint + ((image + imageCount - (firstPoint % imageCount)) % imageCount);
        t < firstPoint + pointCount;
        t += imageCount
      ) {
        const k = (t - firstPoint) * n + e;
        const g = gradients[k]!;
        const a = inner === 'abs' ? Math.abs(g) : inner === 'times-input' ? points[k]! * g : g;
        if (variant === 'squared') sum += a * a;
        else {
          sum += a;
          sumSquares += a * a;
        }
      }
      const i = image * n + e;
      first[i] = first[i]! + sum * scale;
      if (variant === 'variance') second![i] = second![i]! + sumSquares * scale;
    }
  }
}
