// SPDX-License-Identifier: Apache-2.0
import { ShapeMismatchError } from '../runtime/errors.js';

/**
 * CPU reference for gradcam-pp-weights.wgsl (f64 inside): Grad-CAM++ weights `[images, channels]`
 * from NHWC activations and gradients of `images x positions x channels`. Also the explicit CPU path.
 */
export function gradcamPpWeightsRef(
  act: ArrayLike<number>,
  grad: ArrayLike<number>,
  shape: { readonly images: number; readonly positions: number; readonly channels: number },
): Float32Array<ArrayBuffer> {
  const { images, positions, channels: K } = shape;
  const size = images * positions * K;
  if (act.length < size || grad.length < size) {
    throw new ShapeMismatchError(`gradcamPpWeightsRef: act has ${act.length} and grad ${grad.length} values, need ${size}`);
  }
  const out = new Float32Array(images * K);
  for (let n = 0; n < images; n++) {
    for (let k = 0; k < K; k++) {
      const base = n * positions * K + k;
      let total = 0;
      for (let p = 0; p < positions; p++) total += act[base + p * K]!;
      let w = 0;
      for (let p = 0; p < positions; p++) {
        const g = grad[base + p * K]!;
        if (g === 0) continue;
        const alpha = (g * g) / (2 * g * g + total * g * g * g + 1e-6);
        w += Math.max(g, 0) * alpha;
      }
      out[n * K + k] = w;
    }
  }
  return out;
}
