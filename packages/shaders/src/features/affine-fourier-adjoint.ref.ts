// SPDX-License-Identifier: Apache-2.0
import type { FourierImageShape } from '../fft/fft-plan.js';
import { fourierImageAdjointRef } from '../fft/fft.ref.js';
import { affineSampleAdjointRef } from './affine-sample.ref.js';

/**
 * CPU reference of affine-fourier-adjoint.wgsl: the two references it fuses, in order (f64 apart
 * from affineSampleAdjointRef's f32 result): `grad` [images, outHeight, outWidth, c] -> the image
 * gradient [images, height, width, c] -> packed plane-row gradients [ceil(rows / 2), 2, width].
 */
export function affineFourierAdjointRef(
  grad: ArrayLike<number>,
  transforms: ArrayLike<number>,
  image: ArrayLike<number>,
  shape: FourierImageShape,
  view: { readonly outHeight: number; readonly outWidth: number },
): Float64Array {
  const { images, height, width, channels } = shape;
  const imageGradient = affineSampleAdjointRef(grad, transforms, { images, srcHeight: height, srcWidth: width, channels, ...view });
  return fourierImageAdjointRef(image, imageGradient, shape);
}
