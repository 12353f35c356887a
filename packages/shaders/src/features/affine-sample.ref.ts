// SPDX-License-Identifier: Apache-2.0
import { InvalidOptionError, ShapeMismatchError } from '../runtime/errors.js';

/** Shape of an affine-sample call: NHWC source and output images. */
export interface AffineSampleShape {
  readonly images: number;
  readonly srcHeight: number;
  readonly srcWidth: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly channels: number;
}

/** Checks lengths and that every map is invertible; returns nothing. */
export function checkAffineSample(shape: AffineSampleShape, srcLength: number, outLength: number, transforms: ArrayLike<number>): void {
  const { images, srcHeight, srcWidth, outHeight, outWidth, channels } = shape;
  if (
    srcLength < images * srcHeight * srcWidth * channels ||
    outLength < images * outHeight * outWidth * channels ||
    transforms.length < images * 6
  ) {
    throw new ShapeMismatchError(
      `affine-sample: source ${srcLength} values (need ${images * srcHeight * srcWidth * channels}), output ${outLength} (need ${images * outHeight * outWidth * channels}), transforms ${transforms.length} (need ${images * 6})`,
    );
  }
  for (let n = 0; n < images; n++) {
    const [a, b, , c, d] = Array.from({ length: 6 }, (_, i) => transforms[n * 6 + i]!);
    if (!(Math.abs(a! * d! - b! * c!) > 1e-6))
      throw new InvalidOptionError(`affine-sample: the map of image ${n} is not invertible (determinant ${a! * d! - b! * c!})`);
  }
}

/** Source coordinates of output pixel (x, y) under image n's map, rounded as the kernel does (f32). */
function sourceOf(transforms: ArrayLike<number>, n: number, x: number, y: number): [number, number] {
  const t = (i: number) => Math.fround(transforms[n * 6 + i]!);
  const f = Math.fround;
  return [f(f(f(t(0) * x) + f(t(1) * y)) + t(2)), f(f(f(t(3) * x) + f(t(4) * y)) + t(5))];
}

/**
 * CPU reference for affine-sample.wgsl (f64 blend): out[n, y, x] = bilinear sample of src[n] at
 * (m0 x + m1 y + m2, m3 x + m4 y + m5), taps outside the source reading `fill`. Also the CPU path.
 */
export function affineSampleRef(
  src: ArrayLike<number>,
  transforms: ArrayLike<number>,
  shape: AffineSampleShape,
  fill: number,
): Float32Array<ArrayBuffer> {
  const { images, srcHeight: H, srcWidth: W, outHeight, outWidth, channels: C } = shape;
  const out = new Float32Array(images * outHeight * outWidth * C);
  checkAffineSample(shape, src.length, out.length, transforms);
  const tap = (n: number, iy: number, ix: number, ch: number) =>
    ix < 0 || iy < 0 || ix >= W || iy >= H ? fill : src[((n * H + iy) * W + ix) * C + ch]!;
  for (let n = 0; n < images; n++) {
    for (let y = 0; y < outHeight; y++) {
      for (let x = 0; x < outWidth; x++) {
        const [sx, sy] = sourceOf(transforms, n, x, y);
        const [ix, iy] = [Math.floor(sx), Math.floor(sy)];
        const [tx, ty] = [sx - ix, sy - iy];
        for (let ch = 0; ch < C; ch++) {
          const top = (1 - tx) * tap(n, iy, ix, ch) + tx * tap(n, iy, ix + 1, ch);
          const bottom = (1 - tx) * tap(n, iy + 1, ix, ch) + tx * tap(n, iy + 1, ix + 1, ch);
          out[((n * outHeight + y) * outWidth + x) * C + ch] = (1 - ty) * top + ty * bottom;
        }
      }
    }
  }
  return out;
}

/**
 * CPU reference for affine-sample-adjoint.wgsl, written as the plain transpose of the forward map:
 * every output pixel scatters its gradient to its (in-range) taps with the bilinear weights (f64).
 * Also the CPU path.
 */
export function affineSampleAdjointRef(
  grad: ArrayLike<number>,
  transforms: ArrayLike<number>,
  shape: AffineSampleShape,
): Float32Array<ArrayBuffer> {
  const { images, srcHeight: H, srcWidth: W, outHeight, outWidth, channels: C } = shape;
  const acc = new Float64Array(images * H * W * C);
  checkAffineSample(shape, acc.length, grad.length, transforms);
  for (let n = 0; n < images; n++) {
    for (let y = 0; y < outHeight; y++) {
      for (let x = 0; x < outWidth; x++) {
        const [sx, sy] = sourceOf(transforms, n, x, y);
        const [ix, iy] = [Math.floor(sx), Math.floor(sy)];
        const [tx, ty] = [sx - ix, sy - iy];
        const taps: [number, number, number][] = [
          [iy, ix, (1 - tx) * (1 - ty)],
          [iy, ix + 1, tx * (1 - ty)],
          [iy + 1, ix, (1 - tx) * ty],
          [iy + 1, ix + 1, tx * ty],
        ];
        for (const [py, px, w] of taps) {
          if (px < 0 || py < 0 || px >= W || py >= H || w === 0) continue;
          for (let ch = 0; ch < C; ch++) acc[((n * H + py) * W + px) * C + ch]! += w * grad[((n * outHeight + y) * outWidth + x) * C + ch]!;
        }
      }
    }
  }
  return Float32Array.from(acc);
}
