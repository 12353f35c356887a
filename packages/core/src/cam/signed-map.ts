// SPDX-License-Identifier: Apache-2.0
// The CAM before its ReLU. Grad-CAM keeps only positive evidence (ReLU of the weighted channel
// sum); when the sum is <= 0 at every position, the map is blank. That is a real answer ("nothing
// in this layer, weighted by its gradients, speaks for the class"), not a picture to draw silently:
// the pipeline reports it (`warnings`) and `relu: false` shows the signed map.
import * as tf from '@tensorflow/tfjs';
import type { CamWeighting } from '@webxai/shaders';

/** The weighted channel sum WITHOUT the ReLU, `[n, h, w]` (tfjs ops on the active backend). Disposes nothing. */
export function signedCamMap(activation: tf.Tensor4D, weights: tf.Tensor, weighting: CamWeighting): tf.Tensor3D {
  return tf.tidy(() => {
    const [n, , , k] = activation.shape;
    const w = weighting === 'elementwise-relu' ? tf.relu(weights) : weighting === 'channel' ? tf.reshape(weights, [n, 1, 1, k]) : weights;
    return tf.sum<tf.Tensor3D>(tf.mul(activation, w), -1);
  });
}

/**
 * A signed map upsampled to `out` (half-pixel-centre bilinear, as the cam-map kernel) and divided
 * per image by its largest |value| (1e-7 guard): in [-1, 1], sign kept. Disposes nothing.
 */
export function signedAttribution(map: tf.Tensor3D, out: readonly [number, number]): tf.Tensor3D {
  return tf.tidy(() => {
    const resized = tf.squeeze(tf.image.resizeBilinear(tf.expandDims<tf.Tensor4D>(map, -1), [out[0], out[1]], false, true), [3]);
    return tf.div<tf.Tensor3D>(resized, tf.add(tf.max(tf.abs(resized), [1, 2], true), 1e-7));
  });
}

/** Per image: the smallest and largest value of the signed map. */
export interface SignedRange {
  readonly min: number;
  readonly max: number;
}

/**
 * Why an image's ReLU'd map is all zero, for `warnings`: `range` is its signed map's range when known
 * (gradient and perturbation CAMs; not Eigen-CAM or augSmooth).
 */
export function blankMapWarning(method: string, image: number, layer: string, range: SignedRange | undefined): string {
  const why =
    range === undefined
      ? 'the map before the ReLU is <= 0 at every position'
      : range.max < 0
        ? `the weighted channel sum is negative at every position (from ${range.min.toPrecision(3)} to ${range.max.toPrecision(3)}): weighted by the target's gradients, nothing in this layer speaks for the class`
        : range.max === 0 && range.min === 0
          ? 'the weighted channel sum is exactly 0 everywhere (zero channel weights or activations: e.g. saturated or dead units)'
          : `the weighted channel sum is <= 0 at every position (from ${range.min.toPrecision(3)} to ${range.max.toPrecision(3)})`;
  return `${method}: the map of image ${image} at layer ${layer} is all zero after the ReLU: ${why}. Pass relu: false to see the signed map, or try another layer.`;
}
