// SPDX-License-Identifier: Apache-2.0
import { ShapeMismatchError } from '../runtime/errors.js';

/** `images x positions x channels`, NHWC. */
interface WeightsShape {
  readonly images: number;
  readonly positions: number;
  readonly channels: number;
}

/**
 * `[images, channels]`: `weight` of each (image, channel)'s activations and gradients over the
 * positions (`a(p)`, `g(p)`), after checking the sizes for `name`.
 */
function channelWeights(
  name: string,
  act: ArrayLike<number>,
  grad: ArrayLike<number>,
  shape: WeightsShape,
  weight: (a: (p: number) => number, g: (p: number) => number) => number,
): Float32Array<ArrayBuffer> {
  const { images, positions, channels: K } = shape;
  const size = images * positions * K;
  if (act.length < size || grad.length < size) {
    throw new ShapeMismatchError(`${name}: act has ${act.length} and grad ${grad.length} values, need ${size}`);
  }
  const out = new Float32Array(images * K);
  for (let n = 0; n < images; n++) {
    for (let k = 0; k < K; k++) {
      const base = n * positions * K + k;
      out[n * K + k] = weight(
        (p) => act[base + p * K]!,
        (p) => grad[base + p * K]!,
      );
    }
  }
  return out;
}

/**
 * CPU reference for gradient-cam-weights.wgsl's Grad-CAM++ (f64 inside): weights `[images, channels]`
 * from NHWC activations and gradients of `images x positions x channels`. Also the explicit CPU path.
 */
export function gradcamPpWeightsRef(act: ArrayLike<number>, grad: ArrayLike<number>, shape: WeightsShape): Float32Array<ArrayBuffer> {
  return channelWeights('gradcamPpWeightsRef', act, grad, shape, (a, g) => {
    let total = 0;
    for (let p = 0; p < shape.positions; p++) total += a(p);
    let w = 0;
    for (let p = 0; p < shape.positions; p++) {
      const gp = g(p);
      if (gp === 0) continue;
      const alpha = (gp * gp) / (2 * gp * gp + total * gp * gp * gp + 1e-6);
      w += Math.max(gp, 0) * alpha;
    }
    return w;
  });
}

/**
 * CPU reference for gradient-cam-weights.wgsl's XGrad-CAM (f64 inside): weights `[images, channels]`
 * = sum_p g A / (sum_p A + 1e-7) from NHWC activations and gradients of `images x positions x
 * channels`. Also the explicit CPU path.
 */
export function xgradCamWeightsRef(act: ArrayLike<number>, grad: ArrayLike<number>, shape: WeightsShape): Float32Array<ArrayBuffer> {
  return channelWeights('xgradCamWeightsRef', act, grad, shape, (a, g) => {
    let total = 0;
    let weighted = 0;
    for (let p = 0; p < shape.positions; p++) {
      total += a(p);
      weighted += g(p) * a(p);
    }
    return weighted / (total + 1e-7);
  });
}
