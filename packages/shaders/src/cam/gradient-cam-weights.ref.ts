// SPDX-License-Identifier: Apache-2.0
import { ShapeMismatchError } from '../runtime/errors.js';

/** `images x positions x channels`, NHWC. */
interface WeightsShape {
  readonly images: number;
  readonly positions: number;
  readonly channels: number;
}

function checkSizes(name: string, act: ArrayLike<number>, grad: ArrayLike<number>, shape: WeightsShape): void {
  const size = shape.images * shape.positions * shape.channels;
  if (act.length < size || grad.length < size) {
    throw new ShapeMismatchError(`${name}: act has ${act.length} and grad ${grad.length} values, need ${size}`);
  }
}

/**
 * CPU reference for gradient-cam-weights.wgsl's Grad-CAM++ (f64 inside): Grad-CAM++ weights `[images, channels]`
 * from NHWC activations and gradients of `images x positions x channels`. Also the explicit CPU path.
 */
export function gradcamPpWeightsRef(act: ArrayLike<number>, grad: ArrayLike<number>, shape: WeightsShape): Float32Array<ArrayBuffer> {
  checkSizes('gradcamPpWeightsRef', act, grad, shape);
  const { images, positions, channels: K } = shape;
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

/**
 * CPU reference for gradient-cam-weights.wgsl's XGrad-CAM (f64 inside): weights `[images, channels]`
 * = sum_p g A / (sum_p A + 1e-7) from NHWC activations and gradients of `images x positions x
 * channels`. Also the explicit CPU path.
 */
export function xgradCamWeightsRef(act: ArrayLike<number>, grad: ArrayLike<number>, shape: WeightsShape): Float32Array<ArrayBuffer> {
  checkSizes('xgradCamWeightsRef', act, grad, shape);
  const { images, positions, channels: K } = shape;
  const out = new Float32Array(images * K);
  for (let n = 0; n < images; n++) {
    for (let k = 0; k < K; k++) {
      const base = n * positions * K + k;
      let total = 0;
      let weighted = 0;
      for (let p = 0; p < positions; p++) {
        total += act[base + p * K]!;
        weighted += grad[base + p * K]! * act[base + p * K]!;
      }
      out[n * K + k] = weighted / (total + 1e-7);
    }
  }
  return out;
}
